// Proves the xk6-kubernetes extension is compiled in and its Go code runs: the client is built and
// a list call reaches the (deliberately dead) API server address and reports the failure.
import { check } from 'k6';
import { Kubernetes } from 'k6/x/kubernetes';

export const options = {
  scenarios: { once: { executor: 'shared-iterations', iterations: 1, vus: 1 } },
  thresholds: { checks: ['rate==1'] },
};

export default function () {
  const server = __ENV.KUBE_SERVER;
  const kubernetes = new Kubernetes({ server, token: 'not-a-real-token' });
  let message = '';
  try {
    kubernetes.list('Pod', 'default');
  } catch (error) {
    message = String(error);
  }
  check(message, {
    'the extension called the API server': (m) => m.includes(server.replace(/^https?:\/\//, '')),
  });
}
