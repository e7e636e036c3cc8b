"""Country names as ACLED files and other governments' advisories write them, to the ISO
3166-1 alpha-2 code a post stores (``Post.country``).

An explicit table rather than a dependency: the names these sources use are not ISO's
("Democratic Republic of Congo", "Ivory Coast", "eSwatini", "Burma"), and a name missing
here must be refused by name, not guessed. Add a line when a source uses a new spelling.
"""

from __future__ import annotations

import unicodedata

# name (as the sources spell it, any case) -> ISO 3166-1 alpha-2
# fmt: off
_NAMES: dict[str, str] = {
    # Africa (ACLED's first coverage; most crisis posts)
    "Algeria": "DZ", "Angola": "AO", "Benin": "BJ", "Botswana": "BW", "Burkina Faso": "BF",
    "Burundi": "BI", "Cameroon": "CM", "Cape Verde": "CV", "Cabo Verde": "CV",
    "Central African Republic": "CF", "Chad": "TD", "Comoros": "KM",
    "Democratic Republic of Congo": "CD", "Democratic Republic of the Congo": "CD",
    "DR Congo": "CD", "Republic of Congo": "CG", "Republic of the Congo": "CG",
    "Congo": "CG", "Djibouti": "DJ", "Egypt": "EG", "Equatorial Guinea": "GQ",
    "Eritrea": "ER", "eSwatini": "SZ", "Eswatini": "SZ", "Swaziland": "SZ",
    "Ethiopia": "ET", "Gabon": "GA", "Gambia": "GM", "The Gambia": "GM", "Ghana": "GH",
    "Guinea": "GN", "Guinea-Bissau": "GW", "Ivory Coast": "CI", "Cote d'Ivoire": "CI",
    "Côte d'Ivoire": "CI", "Kenya": "KE", "Lesotho": "LS", "Liberia": "LR", "Libya": "LY",
    "Madagascar": "MG", "Malawi": "MW", "Mali": "ML", "Mauritania": "MR", "Mauritius": "MU",
    "Mayotte": "YT", "Morocco": "MA", "Mozambique": "MZ", "Namibia": "NA", "Niger": "NE",
    "Nigeria": "NG", "Reunion": "RE", "Rwanda": "RW", "Sao Tome and Principe": "ST",
    "Senegal": "SN", "Seychelles": "SC", "Sierra Leone": "SL", "Somalia": "SO",
    "South Africa": "ZA", "South Sudan": "SS", "Sudan": "SD", "Tanzania": "TZ", "Togo": "TG",
    "Tunisia": "TN", "Uganda": "UG", "Western Sahara": "EH", "Zambia": "ZM", "Zimbabwe": "ZW",
    # Middle East
    "Bahrain": "BH", "Iran": "IR", "Iraq": "IQ", "Israel": "IL", "Jordan": "JO",
    "Kuwait": "KW", "Lebanon": "LB", "Oman": "OM", "Palestine": "PS", "Qatar": "QA",
    "Saudi Arabia": "SA", "Syria": "SY", "Turkey": "TR", "Turkiye": "TR", "Türkiye": "TR",
    "United Arab Emirates": "AE", "Yemen": "YE",
    # Asia and the Pacific
    "Afghanistan": "AF", "Bangladesh": "BD", "Bhutan": "BT", "Brunei": "BN",
    "Cambodia": "KH", "China": "CN", "East Timor": "TL", "Timor-Leste": "TL", "Fiji": "FJ",
    "India": "IN", "Indonesia": "ID", "Japan": "JP", "Kazakhstan": "KZ", "Kyrgyzstan": "KG",
    "Laos": "LA", "Malaysia": "MY", "Maldives": "MV", "Mongolia": "MN", "Myanmar": "MM",
    "Burma": "MM", "Nepal": "NP", "North Korea": "KP", "Pakistan": "PK",
    "Papua New Guinea": "PG", "Philippines": "PH", "Singapore": "SG", "Solomon Islands": "SB",
    "South Korea": "KR", "Sri Lanka": "LK", "Taiwan": "TW", "Tajikistan": "TJ",
    "Thailand": "TH", "Turkmenistan": "TM", "Uzbekistan": "UZ", "Vanuatu": "VU",
    "Vietnam": "VN", "Australia": "AU", "New Zealand": "NZ",
    # Europe
    "Albania": "AL", "Armenia": "AM", "Austria": "AT", "Azerbaijan": "AZ", "Belarus": "BY",
    "Belgium": "BE", "Bosnia and Herzegovina": "BA", "Bulgaria": "BG", "Croatia": "HR",
    "Cyprus": "CY", "Czech Republic": "CZ", "Czechia": "CZ", "Denmark": "DK",
    "Estonia": "EE", "Finland": "FI", "France": "FR", "Georgia": "GE", "Germany": "DE",
    "Greece": "GR", "Hungary": "HU", "Iceland": "IS", "Ireland": "IE", "Italy": "IT",
    "Kosovo": "XK", "Latvia": "LV", "Lithuania": "LT", "Luxembourg": "LU", "Malta": "MT",
    "Moldova": "MD", "Montenegro": "ME", "Netherlands": "NL", "North Macedonia": "MK",
    "Norway": "NO", "Poland": "PL", "Portugal": "PT", "Romania": "RO", "Russia": "RU",
    "Serbia": "RS", "Slovakia": "SK", "Slovenia": "SI", "Spain": "ES", "Sweden": "SE",
    "Switzerland": "CH", "Ukraine": "UA", "United Kingdom": "GB",
    # The Americas
    "Argentina": "AR", "Bahamas": "BS", "Barbados": "BB", "Belize": "BZ", "Bolivia": "BO",
    "Brazil": "BR", "Canada": "CA", "Chile": "CL", "Colombia": "CO", "Costa Rica": "CR",
    "Cuba": "CU", "Dominican Republic": "DO", "Ecuador": "EC", "El Salvador": "SV",
    "Guatemala": "GT", "Guyana": "GY", "Haiti": "HT", "Honduras": "HN", "Jamaica": "JM",
    "Mexico": "MX", "Nicaragua": "NI", "Panama": "PA", "Paraguay": "PY", "Peru": "PE",
    "Suriname": "SR", "Trinidad and Tobago": "TT", "United States": "US", "Uruguay": "UY",
    "Venezuela": "VE",
}
# fmt: on


def _key(name: str) -> str:
    """Case, accents and spacing aside: 'Côte d\u2019Ivoire' and 'cote d'ivoire' are one."""
    text = unicodedata.normalize("NFKD", name.replace("\u2019", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


_BY_KEY = {_key(name): code for name, code in _NAMES.items()}


class UnknownCountry(ValueError):
    """A country name the table does not hold."""


def country_code(name: str) -> str:
    """The ISO alpha-2 code of a country as the sources spell it; UnknownCountry names it."""
    code = _BY_KEY.get(_key(name))
    if code is None:
        raise UnknownCountry(
            f"unknown country {name!r}: add its spelling to readiness/feeds/countries.py"
        )
    return code


def same_place(a: str, b: str) -> bool:
    """Two place names are the same, case, accents and spacing aside."""
    return bool(a.strip()) and _key(a) == _key(b)
