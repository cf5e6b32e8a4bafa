"""Static files storage for production: hashed names, compressed copies, served by WhiteNoise."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, but plain URLs until ``collectstatic`` has written the manifest.

    A server started without ``collectstatic`` (the benchmark's, a quick check) then renders
    its pages, without static files, instead of failing every page on a missing manifest.
    Once the manifest exists, a name missing from it is still an error.
    """

    def stored_name(self, name: str) -> str:
        if not self.hashed_files:
            return name
        return super().stored_name(name)
