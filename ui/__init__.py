"""Streamlit glue shared by the pages: the store, the signed-in actor, the page list."""
