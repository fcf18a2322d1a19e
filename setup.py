"""Packaging glue that pyproject.toml cannot express on its own.

Every code package under ``convdemo/`` is found automatically, and the
top-level ``kernels/`` and ``sample_images/`` folders (part of the product's
design, edited in place) are installed inside the package as
``convdemo._kernels`` and ``convdemo._samples``. Everything else (metadata,
dependencies, package data) is in pyproject.toml.
"""

from setuptools import find_packages, setup

DATA_PACKAGES = {"convdemo._kernels": "kernels", "convdemo._samples": "sample_images"}

setup(
    packages=find_packages(include=["convdemo", "convdemo.*"]) + list(DATA_PACKAGES),
    package_dir=DATA_PACKAGES,
)
