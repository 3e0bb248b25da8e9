"""The three worked examples of docs/cbam.md (steel, aluminium, cement)."""

from __future__ import annotations

from datetime import date

from footprint_engine.cbam import (
    CarbonPricePaid,
    DirectEmissionSource,
    ElectricityUse,
    GecClaim,
    GridFactor,
    Installation,
    PowerPurchaseAgreement,
    PrecursorInput,
    ProducedGood,
    ProductionProcess,
    SupplierEmbeddedEmissions,
)

GRID = GridFactor(
    value=0.5366, source="MEE/NBS release 2024-12-20: 2022 national grid average 0.5366 kgCO2/kWh"
)
PIG_IRON_RECEIPT = {
    "receiptVersion": 1,
    "entry": {"type": "footprint", "id": "fp-pig-iron-2026", "sha256": "ab" * 32},
    "leafIndex": 41,
    "treeSize": 1024,
    "rootHash": "cd" * 32,
    "anchor": {"chainId": 31337, "transactionHash": "0x" + "ef" * 32, "blockNumber": 77},
}
INSTALLATION_RECEIPT = {
    "receiptVersion": 1,
    "entry": {"type": "submission", "id": "sub-installation-2026", "sha256": "12" * 32},
    "leafIndex": 7,
    "treeSize": 1024,
    "rootHash": "cd" * 32,
    "anchor": {"chainId": 31337, "transactionHash": "0x" + "34" * 32, "blockNumber": 77},
}
PERIOD = {"reporting_period_start": date(2026, 1, 1), "reporting_period_end": date(2026, 12, 31)}


def steel_installation(**overrides: object) -> Installation:
    """BOF steelmaking + hot rolling of coil, from purchased BF pig iron with the supplier's actual data."""
    fields: dict[str, object] = dict(
        installation_id="CN-STEEL-001",
        name="Example Steel Works (Jiangsu)",
        operator_name="Example Steel Co., Ltd.",
        street="1 Gangcheng Road",
        economic_activity="Steel production, BOF and hot rolling",
        latitude=31.9,
        longitude=120.3,
        grid_factor=GRID,
        direct_emissions=[
            DirectEmissionSource(
                source_id="natural-gas-reheating",
                kind="fuel",
                activity_data=1000,
                activity_unit="TJ",
                emission_factor=56.1,
                factor_source="IPCC 2006 Guidelines Vol. 2 Table 2.2, natural gas",
                attribution={"hrc": 1.0},
            ),
            DirectEmissionSource(
                source_id="bof-process", kind="process", tco2e=12_000, attribution={"hrc": 1.0}
            ),
        ],
        processes=[
            ProductionProcess(
                process_id="hrc",
                name="BOF steelmaking and hot rolling",
                electricity=[ElectricityUse(mwh=50_000)],
                precursors=[
                    PrecursorInput(
                        precursor_id="pig-iron-purchased",
                        cn_code="72011011",
                        mass_t=90_000,
                        production_route="blast_furnace",
                        supplier_data=SupplierEmbeddedEmissions(
                            see_direct=1.85,
                            see_indirect=0.10,
                            source="supplier footprint fp-pig-iron-2026 published on the exchange",
                            receipt=PIG_IRON_RECEIPT,
                        ),
                    )
                ],
                goods=[
                    ProducedGood(
                        good_id="hrc-coil",
                        cn_code="7208 39 00",
                        product_name="Hot-rolled coil < 3 mm",
                        production_route="bf_bof",
                        activity_level_t=100_000,
                        quantity_to_eu_t=20_000,
                    )
                ],
            )
        ],
        carbon_price=CarbonPricePaid(
            instrument_type="China national ETS",
            legal_act="Interim Regulations on the Administration of Carbon Emission Trading (2024)",
            currency="CNY",
            price_per_tco2e=90,
            share_covered=0.8,
            rebate_share=0.7,
            eur_per_currency_unit=0.127,
        ),
        **PERIOD,
    )
    fields.update(overrides)
    return Installation.model_validate(fields)


def aluminium_installation() -> Installation:
    """Primary smelter: unwrought aluminium, not alloyed."""
    return Installation(
        installation_id="CN-ALU-001",
        name="Example Aluminium Smelter (Yunnan)",
        grid_factor=GRID,
        direct_emissions=[
            DirectEmissionSource(
                source_id="anode-consumption", kind="process", tco2e=300_000, attribution={"smelt": 1}
            ),
            DirectEmissionSource(
                source_id="pfc-anode-effects", kind="pfc", tco2e=20_000, attribution={"smelt": 1}
            ),
            DirectEmissionSource(
                source_id="casthouse-gas",
                kind="fuel",
                activity_data=200,
                activity_unit="TJ",
                emission_factor=56.1,
                factor_source="IPCC 2006 Guidelines Vol. 2 Table 2.2, natural gas",
                attribution={"smelt": 1},
            ),
        ],
        processes=[
            ProductionProcess(
                process_id="smelt",
                name="Primary aluminium electrolysis and casting",
                electricity=[ElectricityUse(mwh=2_700_000)],
                goods=[
                    ProducedGood(
                        good_id="p1020-ingot",
                        cn_code="76011000",
                        product_name="P1020 ingot",
                        production_route="primary",
                        activity_level_t=200_000,
                        quantity_to_eu_t=10_000,
                    )
                ],
            )
        ],
        **PERIOD,
    )


def cement_installation(green: str = "gec") -> Installation:
    """Integrated cement plant: grey clinker kiln → Portland cement grinding (with purchased clinker).

    green: "none" (grid), "gec" (grid + GEC claim), "ppa" (PPA with a wind farm, conditions hold),
    "ppa-short" (PPA covering less than claimed: conditions fail).
    """
    grinding_power: ElectricityUse
    gec = GecClaim(mwh=40_000, serials=["GEC-2026-0001", "GEC-2026-0002"])
    wind = "Wind farm verified emission report 2026: 0 tCO2/MWh (no combustion)"
    if green == "none":
        grinding_power = ElectricityUse(mwh=40_000)
    elif green == "gec":
        grinding_power = ElectricityUse(mwh=40_000, gec=gec)
    else:
        grinding_power = ElectricityUse(
            mwh=40_000,
            basis="power_purchase_agreement",
            emission_factor=0.0,
            factor_source=wind,
            gec=gec,
            ppa=PowerPurchaseAgreement(
                contract_id="PPA-WIND-2026",
                producer="Example Wind Power Co.",
                contracted_mwh=40_000 if green == "ppa" else 30_000,
                period_start=date(2026, 1, 1),
                period_end=date(2026, 12, 31),
            ),
        )
    return Installation(
        installation_id="CN-CEM-001",
        name="Example Cement Plant (Anhui)",
        grid_factor=GRID,
        direct_emissions=[
            DirectEmissionSource(
                source_id="calcination", kind="process", tco2e=420_000, attribution={"kiln": 1}
            ),
            DirectEmissionSource(
                source_id="kiln-coal",
                kind="fuel",
                activity_data=3000,
                activity_unit="TJ",
                emission_factor=96.1,
                factor_source="IPCC 2006 Guidelines Vol. 2 Table 2.2, sub-bituminous coal",
                attribution={"kiln": 1},
            ),
            DirectEmissionSource(
                source_id="dryer-gas",
                kind="fuel",
                activity_data=50,
                activity_unit="TJ",
                emission_factor=56.1,
                factor_source="IPCC 2006 Guidelines Vol. 2 Table 2.2, natural gas",
                attribution={"grinding": 1},
            ),
        ],
        processes=[
            ProductionProcess(
                process_id="kiln",
                name="Grey clinker kiln",
                electricity=[ElectricityUse(mwh=64_000)],
                goods=[
                    ProducedGood(
                        good_id="grey-clinker",
                        cn_code="2523 10 00 90",
                        product_name="Grey clinker",
                        activity_level_t=800_000,
                        quantity_to_eu_t=40_000,
                    )
                ],
            ),
            ProductionProcess(
                process_id="grinding",
                name="Cement grinding",
                electricity=[grinding_power],
                precursors=[
                    PrecursorInput(
                        precursor_id="own-clinker", cn_code="2523100090", mass_t=760_000, from_process="kiln"
                    ),
                    PrecursorInput(precursor_id="bought-clinker", cn_code="2523100090", mass_t=100_000),
                ],
                goods=[
                    ProducedGood(
                        good_id="cem-i-42-5",
                        cn_code="25232900",
                        product_name="Portland cement CEM I 42.5",
                        activity_level_t=1_000_000,
                        quantity_to_eu_t=50_000,
                    )
                ],
            ),
        ],
        **PERIOD,
    )
