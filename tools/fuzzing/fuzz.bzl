"""A fuzz target: a corpus replay test for every build, a libFuzzer binary for tools/fuzz."""

def doctor_fuzz_target(name, srcs, deps, corpus):
    """Declares NAME_corpus_test (replays corpus/ under bazel test) and NAME (libFuzzer, clang only).

    Args:
      name: the fuzz target's name, as tools/fuzz lists it.
      srcs: sources defining LLVMFuzzerTestOneInput.
      deps: libraries under test.
      corpus: a glob of the committed seed inputs, all in one folder.
    """
    native.filegroup(name = name + "_corpus", srcs = corpus)
    native.cc_test(
        name = name + "_corpus_test",
        size = "small",
        srcs = srcs,
        args = ["$(locations :%s_corpus)" % name],
        data = [":%s_corpus" % name],
        deps = deps + ["//tools/fuzzing:corpus_main"],
    )
    native.cc_binary(
        name = name,
        srcs = srcs,
        copts = ["-fsanitize=fuzzer"],
        linkopts = ["-fsanitize=fuzzer"],
        tags = ["manual", "fuzz"],
        deps = deps,
    )
