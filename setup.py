"""Build of the compiled core (``heuristics/_core.pyx``); everything else is in pyproject.toml."""
from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [Extension("heuristics._core", ["heuristics/_core.pyx"], extra_compile_args=["-O3"],
                   extra_link_args=["-s"]),
         Extension("heuristics._decide", ["heuristics/_decide.pyx"], extra_compile_args=["-O3"], extra_link_args=["-s"])],
        compiler_directives={"language_level": "3"},
    ),
)
