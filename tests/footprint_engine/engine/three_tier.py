"""The three-tier worked example of docs/worked-example.md (raw material → part → assembly)."""

ORG1, ORG2, ORG3 = "91530100MA6K8Q2L5T", "91320500MA1W4Y9BXB", "91440300MA5G2H8C7K"
PERIOD = {"start": "2024-01-01", "end": "2024-12-31"}


def tier1() -> dict:
    return {
        "productIdentifier": "88.100.1/RESIN",
        "organisation": {"id": ORG1},
        "reportingPeriod": PERIOD,
        "site": {"name": "resin plant", "gridRegion": "CN-JS"},
        "declaredUnit": "kg",
        "producedQuantity": {"amount": 1000, "unit": "kg"},
        "inputs": {
            "fuels": [
                {"id": "gas", "fuel": "natural_gas", "amount": 100, "unit": "m3", "dataSource": "primary"}
            ],
            "processEmissions": [
                {"id": "ch4", "gas": "CH4", "origin": "fossil", "amount": 0.5, "unit": "kg"}
            ],
            "electricity": [{"id": "power", "amount": 2, "unit": "MWh", "dataSource": "secondary"}],
        },
    }


def tier2() -> dict:
    return {
        "productIdentifier": "88.100.2/PART",
        "organisation": {"id": ORG2},
        "reportingPeriod": PERIOD,
        "site": {"name": "part plant", "gridRegion": "CN-JS"},
        "declaredUnit": "piece",
        "producedQuantity": {"amount": 1000, "unit": "piece"},
        "inputs": {
            "materials": [
                {
                    "id": "resin",
                    "identifier": "88.100.1/RESIN",
                    "amount": 500,
                    "unit": "kg",
                    "upstreamFootprint": {"identifier": "88.100.1/RESIN", "version": 1},
                }
            ],
            "transport": [
                {
                    "id": "resin-truck",
                    "mode": "road-truck",
                    "distance": {"amount": 200, "unit": "km"},
                    "mass": {"amount": 0.5, "unit": "t"},
                    "material": "resin",
                }
            ],
            "electricity": [
                {
                    "id": "power",
                    "amount": 3000,
                    "unit": "kWh",
                    "dataSource": "primary",
                    "greenPowerClaims": [
                        {
                            "type": "gec",
                            "serial": "GEC-JS-WIND-1",
                            "quantityMWh": 1,
                            "generationType": "wind",
                            "productionDate": "2024-02-10",
                            "cancellation": {"claimant": ORG2, "date": "2024-12-01"},
                        }
                    ],
                }
            ],
        },
        "coProducts": [{"identifier": "88.100.2/OFFCUT", "amount": 40, "unit": "kg", "economicValue": 1.0}],
        "allocation": {"basis": "economic", "shares": {"88.100.2/PART": 80, "88.100.2/OFFCUT": 20}},
    }


def tier3() -> dict:
    return {
        "productIdentifier": "88.100.3/ASSY",
        "organisation": {"id": ORG3},
        "reportingPeriod": PERIOD,
        "site": {"name": "assembly plant", "gridRegion": "CN-GD"},
        "declaredUnit": "piece",
        "producedQuantity": {"amount": 100, "unit": "piece"},
        "inputs": {
            "materials": [
                {
                    "id": "part",
                    "identifier": "88.100.2/PART",
                    "amount": 200,
                    "unit": "piece",
                    "upstreamFootprint": {"identifier": "88.100.2/PART", "version": 1},
                }
            ],
            "fuels": [
                {
                    "id": "diesel",
                    "fuel": "diesel",
                    "method": "ipcc-2006",
                    "amount": 10,
                    "unit": "kg",
                    "dataSource": "primary",
                }
            ],
            "processEmissions": [{"id": "ch4", "gas": "CH4", "amount": 0.2, "unit": "kg"}],
            "transport": [
                {
                    "id": "delivery",
                    "mode": "road-truck",
                    "stage": "distribution",
                    "distance": {"amount": 50, "unit": "km"},
                    "mass": {"amount": 1, "unit": "t"},
                }
            ],
        },
    }
