"""Where the operator's inputs go in the Commission's "Communication template for installations"
(version of 2024-12-13, English; bundled in footprint_engine/cbam/data/ with its SHA-256).

Only input cells (unlocked, yellow in the template) are named here; every summary — Summary_Processes,
Summary_Products' figures, Summary_Communication — is the template's own formulas over these inputs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = [
    "MAX_CATEGORIES",
    "MAX_PFC_SOURCES",
    "MAX_PROCESSES",
    "MAX_PRODUCTS",
    "MAX_PURCHASED_PRECURSORS",
    "MAX_SOURCE_STREAMS",
    "PARAMETER_COLUMNS",
    "TEMPLATE_PATH",
    "TEMPLATE_SHA256",
    "TEMPLATE_SHEETS",
    "TEMPLATE_VERSION",
    "XSD_DIR",
    "process_row",
    "purchased_row",
    "template_sha256",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
TEMPLATE_PATH = DATA_DIR / "communication_template_installations_en_20241213.xlsx"
TEMPLATE_SHA256 = "5a4e28fdbccfdca45a2c0520184b551a20c0c7bba3db79f87d78c9e58a6c0917"
TEMPLATE_VERSION = "2024-12-13"
XSD_DIR = DATA_DIR

TEMPLATE_SHEETS = (
    "0_Versions",
    "a_Contents",
    "b_Guidelines&Conditions",
    "c_CodeLists",
    "A_InstData",
    "B_EmInst",
    "C_Emissions&Energy",
    "D_Processes",
    "E_PurchPrec",
    "F_Tools",
    "G_FurtherGuidance",
    "Summary_Processes",
    "Summary_Products",
    "Summary_Communication",
    "InputOutput",
    "Parameters_Constants",
    "Parameters_CNCodes",
    "Translations",
    "VersionDocumentation",
)

# The template's own limits: more need a second workbook.
MAX_CATEGORIES = 10  # A_InstData 4(a), rows 62-71
MAX_PROCESSES = 10  # A_InstData 4(b), rows 83-92; D_Processes blocks of 65 rows from row 11
MAX_PURCHASED_PRECURSORS = 20  # A_InstData 5, rows 102-121; E_PurchPrec blocks of 44 rows from row 14
MAX_PRODUCTS = 100  # Summary_Products rows 10-109
MAX_SOURCE_STREAMS = 75  # B_EmInst (a), rows 17-91
MAX_PFC_SOURCES = 10  # B_EmInst (b), rows 98-107

# A_InstData
REPORTING_START, REPORTING_END = "I9", "L9"
INSTALLATION_CELLS = {
    "name_local": "I19",
    "name": "I20",
    "street": "I21",
    "economic_activity": "I22",
    "postcode": "I23",
    "po_box": "I24",
    "city": "I25",
    "country_name": "I26",
    "unlocode": "I27",
    "latitude": "I28",
    "longitude": "I29",
    "contact_name": "I30",
    "contact_email": "I31",
    "contact_phone": "I32",
}
VERIFIER_CELLS = {
    "company_name": "I37",
    "street": "I38",
    "city": "I39",
    "postcode": "I40",
    "country_name": "I41",
    "representative_name": "I45",
    "representative_email": "I46",
    "representative_phone": "I47",
    "accreditation_member_state": "I51",
    "accreditation_body": "I52",
    "registration_number": "I53",
}
CATEGORY_FIRST_ROW = 62  # E: category, I..N: routes 1-6
CATEGORY_ROUTE_COLUMNS = "IJKLMN"
PROCESS_FIRST_ROW = 83  # E: category, F: included categories, L: name
PURCHASED_FIRST_ROW = 102  # E: category, F: country code, G..K: routes 1-5, L: name
ONLY_DIRECT_PRODUCTION = "Only direct production"

# B_EmInst
SOURCE_STREAM_FIRST_ROW = 17
PFC_FIRST_ROW = 98

# C_Emissions&Energy
TOTAL_INDIRECT_MANUAL = "M26"
DATA_QUALITY, DEFAULT_JUSTIFICATION, QUALITY_ASSURANCE = "H40", "H41", "H42"

# Summary_Processes
CARBON_PRICE_INSTRUMENT, ADDITIONAL_INFORMATION = "M13", "M16"

# Summary_Products
PRODUCTS_FIRST_ROW = 10
PRODUCTS_HEADER_ROW = 8
#: Summary_Products qualifying-parameter columns by their header (row 8; the headers are formulas over
#: the Translations sheet, so the map is written out and a test holds it against the template's text).
PARAMETER_COLUMNS = {
    "% Mn": "R",
    "% Cr": "S",
    "% Ni": "T",
    "% other alloys": "U",
    "% carbon": "V",
    "t scrap per t steel": "W",
    "% other materials": "X",
    "% pre-consumer scrap": "Y",
    "t scrap per t aluminium": "Z",
    "% non-aluminium elements": "AA",
    "Clinker factor": "AB",
    "Calcined or not": "AC",
    "Concentration, if hydrous solution": "AD",
    "% nitric acid": "AE",
    "% urea": "AF",
    "% N contained": "AG",
    "% N as ammonium (NH4+)": "AH",
    "% N as nitrate (NO3–)": "AI",
    "% N as Urea": "AJ",
    "% N in other (organic) forms": "AK",
}


def process_row(process_index: int, offset: int) -> int:
    """Row of D_Processes for the 0-based process index: offset 5 = production level of route 1 (row 16
    in block 1), 16 = produced for the market, 21-29 = consumed in other processes, 30 = consumed for
    non-CBAM goods, 39 = applicable elements, 43 = DirEm, 54-56 = electricity (MWh, EF, source)."""
    return 11 + 65 * process_index + offset


def purchased_row(precursor_index: int, offset: int) -> int:
    """Row of E_PurchPrec for the 0-based purchased precursor index: offset 3 = purchased amount of
    route 1 (row 17 in block 1), 14-23 = consumed in processes 1-10, 24 = other purposes, 35-37 = SEE
    direct, specific electricity, electricity EF (value in L, source in M), 40 = justification."""
    return 14 + 44 * precursor_index + offset


def template_sha256() -> str:
    """SHA-256 of the bundled template file (must equal TEMPLATE_SHA256: the file is used unmodified)."""
    return hashlib.sha256(TEMPLATE_PATH.read_bytes()).hexdigest()
