"""Watch long-running ArcGIS jobs live in Jupyter."""
