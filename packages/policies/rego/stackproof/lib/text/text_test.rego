package stackproof.lib.text_test

import data.stackproof.lib.text

test_success_show_any_type if {
	text.show("a") == "a"
	text.show(3) == "3"
	text.show(null) == "null"
	text.show(["x", 1]) == "[\"x\",1]"
}

test_success_format_mixed_arguments if {
	text.format("%s has %s item(s), first %s", ["list", 2, null]) == "list has 2 item(s), first null"
}
