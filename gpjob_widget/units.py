"""Linear and areal units: Esri's unit words, how they print, and how people write them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Esri's words (as GP services send and take them) → how they print
LINEAR = {
    "esriMeters": "m", "esriKilometers": "km", "esriFeet": "ft", "esriMiles": "mi",
    "esriNauticalMiles": "nmi", "esriYards": "yd", "esriInches": "in", "esriCentimeters": "cm",
    "esriMillimeters": "mm", "esriDecimeters": "dm", "esriPoints": "pt",
    "esriDecimalDegrees": "°", "esriUnknownUnits": "",
}
AREAL = {
    "esriSquareMeters": "m²", "esriSquareKilometers": "km²", "esriSquareFeet": "ft²",
    "esriSquareMiles": "mi²", "esriSquareYards": "yd²", "esriSquareInches": "in²",
    "esriSquareCentimeters": "cm²", "esriSquareMillimeters": "mm²",
    "esriSquareDecimeters": "dm²", "esriAcres": "acres", "esriHectares": "ha", "esriAres": "a",
    "esriUnknownAreaUnits": "",
}
UNIT_ABBREVIATIONS = {**LINEAR, **AREAL}


def linear_units() -> tuple[str, ...]:
    return tuple(LINEAR)


def areal_units() -> tuple[str, ...]:
    return tuple(AREAL)


def _key(word: str) -> str:
    return re.sub(r"[\s_]", "", word).lower().removeprefix("esri")


def unit_word(word: str, units: tuple[str, ...]) -> str | None:
    """Esri's word for *word* among *units*: ``Miles`` / ``esriMiles`` / ``mi`` /
    ``Decimal Degrees`` / ``SQUARE_KILOMETERS`` → ``esriMiles`` …; None if unknown."""
    key = _key(word)
    for unit in units:
        if key in (_key(unit), _key(UNIT_ABBREVIATIONS[unit]).replace("²", "2")) and key:
            return unit
        if key == _key(unit).removesuffix("s"):  # "Mile", "Meter"
            return unit
    return None


def quantity_text(number: Any, units: str) -> str:
    text = f"{number:g}" if isinstance(number, int | float) else str(number)
    unit = UNIT_ABBREVIATIONS.get(units, units)
    return text + unit if unit == "°" else f"{text} {unit}".strip()


def unit_label(units: str) -> str:
    """A unit word for people: ``esriSquareKilometers`` → ``Square Kilometers``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", units.removeprefix("esri"))


@dataclass(frozen=True)
class LinearUnit:
    """A GPLinearUnit: ``LinearUnit(5, "esriMiles")`` prints as ``5 mi``."""

    distance: float
    units: str

    def __str__(self) -> str:
        return quantity_text(self.distance, self.units)


@dataclass(frozen=True)
class ArealUnit:
    """A GPArealUnit: ``ArealUnit(2, "esriSquareKilometers")`` prints as ``2 km²``."""

    area: float
    units: str

    def __str__(self) -> str:
        return quantity_text(self.area, self.units)
