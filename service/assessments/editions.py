"""The editions of the model the service knows, and the mappings between them.

The model in force (``model``, from the settings) scores new campaigns by default; a campaign
records its edition, and every assessment is read, saved and scored with its own. The other
editions are the files packaged under ``maturity/models/`` and the mappings those under
``maturity/mappings/``: read once, validated when the application starts."""

from __future__ import annotations

import functools
from itertools import pairwise
from pathlib import Path

from maturity.chains import ChainError, chain_path, compose_chain, mapping_links
from maturity.editions import Comparability, comparability
from maturity.mapping import (
    MAPPINGS_DIR,
    MODELS_DIR,
    EditionMapping,
    edition_files,
    identity_mapping,
    load_mapping,
    mapping_path,
)
from maturity.model import Model, load_model
from service.platform.errors import ConflictError, InvalidInputError
from service.platform.i18n import N_

__all__ = ["Editions", "editions_for"]


class Editions:
    """The model in force, the packaged editions by version, and the mappings between them."""

    def __init__(
        self, current: Model, models: Path = MODELS_DIR, mappings: Path = MAPPINGS_DIR
    ) -> None:
        self.current = current
        self._files = edition_files(models)
        self._mappings = mappings
        self._models: dict[str, Model] = {current.version: current}
        self._links: dict[tuple[str, str], EditionMapping | None] = {}
        self._bases: dict[tuple[str, str], Comparability | None] = {}

    @property
    def versions(self) -> list[str]:
        """Every edition known, oldest first (the model in force included)."""
        return sorted(self._files.keys() | {self.current.version})

    def knows(self, version: str) -> bool:
        """Whether `version` is an edition the service can use."""
        return version == self.current.version or version in self._files

    def get(self, version: str) -> Model:
        """The edition `version` (409 when the service does not have it)."""
        found = self._models.get(version)
        if found is None:
            if version not in self._files:
                raise ConflictError(
                    N_("Modèle %(version)s inconnu de ce service (modèles : %(known)s)."),
                    version=version,
                    known=", ".join(self.versions),
                )
            found = self._models[version] = load_model(self._files[version])
        return found

    def check_version(self, version: str) -> str:
        """`version` if known; 400 naming the known editions otherwise (for a request)."""
        if not self.knows(version):
            raise InvalidInputError(
                N_("Modèle %(version)s inconnu de ce service (modèles : %(known)s)."),
                version=version,
                known=", ".join(self.versions),
            )
        return version

    def mapping(self, source: str, target: str) -> EditionMapping | None:
        """How answers of `source` go to `target` (identity for the same edition): the
        mapping file between them, else the files chained through other editions (composed,
        `maturity.chains`); None when none links them or the chain has no single rule."""
        key = (source, target)
        if key not in self._links:
            old, new = self.get(source), self.get(target)
            path = mapping_path(source, target, self._mappings)
            if source == target:
                self._links[key] = identity_mapping(old)
            elif path.exists():
                self._links[key] = load_mapping(path, old, new)
            else:
                self._links[key] = self._chained(source, target)
        return self._links[key]

    def _chained(self, source: str, target: str) -> EditionMapping | None:
        known = [link for link in mapping_links(self._mappings) if all(map(self.knows, link))]
        versions = chain_path(source, target, known)
        if versions is None or len(versions) < 3:
            return None
        steps = [self.mapping(a, b) for a, b in pairwise(versions)]
        try:
            return compose_chain(
                [s for s in steps if s is not None], [self.get(v) for v in versions]
            )
        except ChainError:
            return None

    def basis(self, source: str, target: str) -> Comparability | None:
        """What is comparable between answers of `source` and of `target` (None: no mapping)."""
        key = (source, target)
        if key not in self._bases:
            mapping = self.mapping(source, target)
            self._bases[key] = (
                None
                if mapping is None
                else comparability(mapping, self.get(source), self.get(target))
            )
        return self._bases[key]

    def check(self) -> None:
        """Load every edition and every mapping between known editions (fail fast at start)."""
        for version in self.versions:
            self.get(version)
        for path in sorted(self._mappings.glob("*--*.toml")):
            source, _, target = path.stem.partition("--")
            if self.knows(source) and self.knows(target):
                self.mapping(source, target)


@functools.cache
def editions_for(current: Model) -> Editions:
    """The registry around the model in force (one per model: files are read once)."""
    return Editions(current, MODELS_DIR, MAPPINGS_DIR)
