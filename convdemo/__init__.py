"""convdemo: see how convolution, pooling and small CNNs work."""

__version__ = "0.1.0"
