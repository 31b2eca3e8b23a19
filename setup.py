"""Installation script for pyNN (simulator-independent spiking neural network models)."""

from setuptools import find_packages, setup

setup(
    name="pyNN",
    version="0.13.0.post1",
    description="Simulator-independent specification of spiking neural network models",
    long_description=open("README.md").read() if __import__("os").path.exists("README.md") else "",
    long_description_content_type="text/markdown",
    packages=find_packages(include=["pyNN", "pyNN.*"]),
    # NMODL sources are compiled on first use; hardware profiles are data files
    package_data={"pyNN.neuron": ["nmodl/*.mod"], "pyNN.hardware": ["profiles/*.json"],
                  "pyNN.nestml": ["nest_compat/*.h", "nest_compat/gsl/*.h", "nest_compat/README.md"]},
    python_requires=">=3.10",
    install_requires=["numpy>=1.24,<2.3", "quantities>=0.16", "neo>=0.13", "lazyarray>=0.6"],
    extras_require={
        "nest": ["nest-simulator==3.10.0"],
        "neuron": ["neuron>=9.0"],
        "mpi": ["mpi4py>=4.0", "mpich>=4.2"],
        "hardware": ["numba>=0.61"],
        "brian2": ["brian2>=2.9"],
        "nestml": ["nestml==9.0.0", "odetoolbox==3.0.0", "boost-headers==1.85.0.post1"],
        "plotting": ["matplotlib>=3.7", "scipy>=1.10"],
        "io": ["scipy>=1.10", "nixio>=1.5", "pynwb>=2.5"],
        "jupyter": ["jupyterlab>=4", "ipykernel>=6", "matplotlib>=3.7"],
        "docs": ["sphinx>=8", "furo>=2024.1", "myst-nb>=1.1", "sphinx-gallery>=0.17", "nbclient>=0.10",
                 "ipykernel>=6", "matplotlib>=3.7"],
        "dev": ["pytest>=8", "ruff>=0.6", "matplotlib>=3.7", "hypothesis>=6.100"],
    },
    license="CeCILL-2.1",
    license_files=["LICENSE"],
)
