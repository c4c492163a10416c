# METADATA
# title: Message text
# description: |
#   Verdict messages built from values of any type. The wasm SDK formats sprintf in JavaScript
#   (sprintf-js), which throws on %v or %d of a null or a non-number, and OPA's own sprintf prints
#   %s of a number as %!s(int=3): every message goes through format, which turns each argument
#   into text first and formats with %s only.
package stackproof.lib.text

# A value as message text: a string as it is, anything else as JSON (3, null, ["a"]).
show(x) := x if is_string(x)

else := json.marshal(x)

# sprintf with every argument passed through show; the format uses %s only.
format(template, args) := sprintf(template, [show(a) | some a in args])
