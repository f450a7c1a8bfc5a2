"""One sh_test per golden SQL script."""

def golden_sql_tests(scripts):
    for script in scripts:
        name = script[:-len(".sql")]
        native.sh_test(
            name = name,
            srcs = ["run_golden.sh"],
            args = ["$(location //:doctor.so)", "$(location %s)" % script],
            data = [
                script,
                name + ".expected",
                "//:doctor.so",
                "//tests:sanitizer_env.sh",
            ],
            size = "small",
        )
