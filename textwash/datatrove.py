"""datatrove steps (extra: ``textwash[datatrove]``; ``textwash[ray]`` for ``RayPipelineExecutor``).

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from textwash.datatrove import TextwashFilter

    LocalPipelineExecutor([JsonlReader("in/"), TextwashFilter(), JsonlWriter("out/")], tasks=8, workers=2).run()

``TextwashFilter`` cleans ``doc.text`` (or HTML: the text itself with ``text_is_html``, or a metadata key
with ``html_key``), writes ``doc.metadata["textwash"]`` (title, language, dates, removed counts per
category), counts ``removed_<category>`` in the step's stats and drops a document left empty with the
reason ``textwash_empty``. ``TextwashExtractor`` is a drop-in for datatrove's ``Trafilatura`` extractor on
WARC HTML (text only: an extractor runs in a sandbox process and only the text comes back).
The engine is imported inside the steps, never held on them: steps pickle small for every executor.
"""
from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from typing import Any

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.extractors.base import BaseExtractor
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

REQUIREMENT = [("heuristics", "textwash")]  # datatrove checks the distribution's name
METADATA_FIELDS = ("title", "language", "published", "updated", "authors", "word_count")


def _engine() -> Any:
    """The engine's ``clean``, with its rules and model loaded (a first call loads them).

    One OpenMP thread, as the service's gunicorn_conf sets: the model predicts on one thread anyway, and
    an OpenMP pool per worker process, sized to every core, only contends (two local workers on two cores
    ran at 90 docs/s with it, 144 without; docs/pipelines.md). It has to be set before LightGBM loads.
    """
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from heuristics import clean

    clean("textwash warm-up line.")
    return clean


class TextwashFilter(BaseFilter):
    """Cleans each document; keeps it with the clean text, or drops it when nothing is left.

    Args:
        html_key: metadata key holding the page's HTML, cleaned together with ``doc.text``.
        text_is_html: ``doc.text`` is the page's HTML (as ``WarcReader`` gives it).
        url_key: metadata key of the page's URL (passed to the engine for metadata).
        metadata_key: where the metadata goes in ``doc.metadata``.
        mode, keep, language, extractor: the engine's options.
        exclusion_writer: gets the dropped documents (``metadata["filter_reason"]``).
        batch_size: documents cleaned together by one ``clean_many`` call (the model runs once for them);
            default ``heuristics.settings.SETTINGS.batch_documents``.
    """

    name = "🧽 Textwash"
    _requires_dependencies = REQUIREMENT

    def __init__(self, *, html_key: str | None = None, text_is_html: bool = False, url_key: str = "url",
                 metadata_key: str = "textwash", mode: str = "balanced", keep: Iterable[str] = (),
                 language: str | None = None, extractor: str = "fast",
                 exclusion_writer: DiskWriter | None = None, batch_size: int | None = None) -> None:
        from heuristics.settings import SETTINGS

        super().__init__(exclusion_writer, batch_size or SETTINGS.batch_documents)
        self.html_key = html_key
        self.text_is_html = text_is_html
        self.url_key = url_key
        self.metadata_key = metadata_key
        self.options: dict[str, Any] = {"mode": mode, "keep": list(keep), "extractor": extractor}
        if language:
            self.options["language"] = language

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        _engine()  # load the model here, outside the timed filter calls
        yield from super().run(data, rank, world_size)

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return self.filter_batch([doc])[0]

    def filter_batch(self, batch: list[Document]) -> list[bool | tuple[bool, str]]:
        """Cleans the batch's documents with one ``clean_many`` call; each is kept or dropped as ``filter`` says."""
        from heuristics import clean_many

        results = clean_many([self._inputs(doc) for doc in batch], **self.options)
        return [self._judged(doc, result) for doc, result in zip(batch, results)]

    def _judged(self, doc: Document, result: Any) -> bool | tuple[bool, str]:
        from heuristics import DocumentError

        if isinstance(result, DocumentError):
            refused = result.status == 422
            self.stat_update(f"refused_{result.field}" if refused else "failed")
            return False, "textwash_refused" if refused else "textwash_failed"
        counts = Counter(removal.category for removal in result.removed)
        for category, count in counts.items():
            self.stat_update(f"removed_{category}", value=count)
        self.stat_update("removed_lines", value=len(result.removed))
        doc.text = result.text
        doc.metadata[self.metadata_key] = {**{name: result.metadata.get(name) for name in METADATA_FIELDS},
                                           "removed": dict(counts)}
        if not result.paragraphs:
            return False, "textwash_empty"
        return True

    def _inputs(self, doc: Document) -> dict[str, Any]:
        url = doc.metadata.get(self.url_key)
        inputs: dict[str, Any] = {"url": url if isinstance(url, str) else None}
        if self.text_is_html:
            inputs["html"] = doc.text
        else:
            inputs["text"] = doc.text
            if self.html_key and doc.metadata.get(self.html_key):
                inputs["html"] = doc.metadata[self.html_key]
        return inputs


class TextwashExtractor(BaseExtractor):
    """HTML -> clean text, where datatrove's ``Trafilatura`` extractor would go (``WarcReader`` -> here).

    A page left empty is dropped (datatrove's extractors drop empty text); ``timeout`` is per document.
    """

    name = "🧽 Textwash extractor"
    _requires_dependencies = REQUIREMENT

    def __init__(self, *, mode: str = "balanced", keep: Iterable[str] = (), extractor: str = "fast",
                 timeout: float = 5.0) -> None:
        super().__init__(timeout)
        self.options: dict[str, Any] = {"mode": mode, "keep": list(keep), "extractor": extractor}

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        _engine()  # the sandbox process forks from here with the model already loaded
        yield from super().run(data, rank, world_size)

    def extract(self, text: str) -> str:
        from heuristics import CleanError, clean

        if not text:
            return ""
        try:
            return clean(html=text, **self.options).text
        except CleanError:
            return ""
