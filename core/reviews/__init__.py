"""Reviews (好差评, GB/T 39734-2020): residents rate the service; bad reviews are
rectified, explained or overturned on appeal."""
