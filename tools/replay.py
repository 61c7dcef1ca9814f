"""A transport that answers from recorded responses instead of the network.

`dossier demo` runs the real source tools through it. A recording's URL matches a request
with the same query parameters in any order; a recording without a query matches any query.
Everything else answers 404, so a tool reports a clear gap rather than reaching the internet.

    - url: https://boards-api.greenhouse.io/v1/boards/larkspurhome/jobs?content=true
      file: greenhouse_jobs.json        # relative to the manifest's folder
      content_type: application/json
      status: 200                       # optional
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import yaml

from agent.errors import ParseError
from knowledge.yaml_text import load_yaml

#: (status, content type, body or the file that holds it)
Recording = tuple[int, str, bytes | Path]
_Key = tuple[str, tuple[tuple[str, str], ...] | None]


class ReplayTransport(httpx.BaseTransport):
    """Serves recorded responses keyed by absolute URL; unknown URLs answer 404."""

    def __init__(self, recordings: Mapping[str, Recording]) -> None:
        self._recordings = {
            _key(url, exact=bool(urlsplit(url).query)): r for url, r in recordings.items()
        }
        #: Every request seen, in order (tests check what a tool asked for).
        self.requests: list[httpx.Request] = []

    @classmethod
    def from_manifest(cls, path: Path) -> ReplayTransport:
        """A transport from a YAML list of {url, file, content_type[, status]} entries."""
        try:
            entries = load_yaml(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            reason = " ".join(str(exc).split())
            raise ParseError(f"{path}: cannot read the replay manifest ({reason})") from None
        if not isinstance(entries, list):
            raise ParseError(f"{path}: a replay manifest is a list of entries")
        recordings: dict[str, Recording] = {}
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict) or not {"url", "file", "content_type"} <= entry.keys():
                raise ParseError(f"{path}: entry {number} needs url, file and content_type")
            file = path.parent / str(entry["file"])
            if not file.is_file():
                raise ParseError(f"{path}: entry {number}: file {entry['file']} not found")
            status = entry.get("status", 200)
            recordings[str(entry["url"])] = (int(status), str(entry["content_type"]), file)
        return cls(recordings)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """The recording for the request's URL, or a 404."""
        self.requests.append(request)
        url = str(request.url)
        found = self._recordings.get(_key(url, exact=True)) or self._recordings.get(
            _key(url, exact=False)
        )
        if found is None:
            body = f"not recorded: {url}".encode()
            return httpx.Response(404, headers={"content-type": "text/plain"}, content=body)
        status, content_type, source = found
        content = source.read_bytes() if isinstance(source, Path) else source
        return httpx.Response(status, headers={"content-type": content_type}, content=content)


def _key(url: str, *, exact: bool) -> _Key:
    """The URL without its query, plus the sorted query pairs when matching exactly."""
    parts = urlsplit(url)
    base = f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path or '/'}"
    query = tuple(sorted(parse_qsl(parts.query, keep_blank_values=True))) if exact else None
    return base, query
