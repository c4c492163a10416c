// Negative twin: an extension that was not compiled in must fail the run, not be fetched.
import missing from 'k6/x/stackproof-does-not-exist';

export default function () {
  missing.call();
}
