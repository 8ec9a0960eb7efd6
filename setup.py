"""Build of the compiled parts (``heuristics/_core.pyx``: per-document kernels and the forest; ``heuristics/_decide.pyx``: the decide stage's per-line facts; ``heuristics/_rules.pyx``: the rules stage's phrase scan; ``heuristics/_html.pyx``: the HTML page walk); everything else is in pyproject.toml."""
from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [Extension("heuristics._core", ["heuristics/_core.pyx"], extra_compile_args=["-O3", "-ffp-contract=off"],
                   extra_link_args=["-s"]),
         Extension("heuristics._decide", ["heuristics/_decide.pyx"], extra_compile_args=["-O3"], extra_link_args=["-s"]),
         Extension("heuristics._rules", ["heuristics/_rules.pyx"], extra_compile_args=["-O3"], extra_link_args=["-s"]),
         Extension("heuristics._html", ["heuristics/_html.pyx"], extra_compile_args=["-O3", "-ffp-contract=off"],
                   extra_link_args=["-s"])],
        compiler_directives={"language_level": "3"},
    ),
)
