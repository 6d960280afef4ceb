"""The consultation quote desk: the domain core. Knows nothing of Streamlit."""

__version__ = "0.1.0"
