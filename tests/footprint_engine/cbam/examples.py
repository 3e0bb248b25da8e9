"""The three worked examples of docs/cbam.md (steel, aluminium, cement)."""

from __future__ import annotations

from datetime import date

from footprint_engine.cbam import (
    CarbonPricePaid,
    ContactPerson,
    DirectEmissionSource,
    ElectricityUse,
    GecClaim,
    GridFactor,
    Installation,
    PfcSlopeMethod,
    PowerPurchaseAgreement,
    PrecursorInput,
    ProducedGood,
    ProductionProcess,
    SupplierEmbeddedEmissions,
    Verifier,
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
        operator_id="CNSTEEL0001",
        operator_name="Example Steel Co., Ltd.",
        street="1 Gangcheng Road",
        city="Wuxi",
        postcode="214000",
        unlocode="CNWUX",
        contact=ContactPerson(name="Li Wei", email="li.wei@example.cn", phone="+86 510 8000 0000"),
        verifier=Verifier(
            company_name="Example Verification Co., Ltd.",
            city="Shanghai",
            country="CN",
            accreditation_body="CNAS",
            registration_number="CNAS-V-0001",
        ),
        verified=True,
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
                            electricity_mwh_per_t=0.2,
                            electricity_factor=0.5,
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
                        reducing_agent="Coal or coke",
                        steel_mill_id="CN-STEEL-001",
                    )
                ],
            )
        ],
        carbon_price=CarbonPricePaid(
            instrument_type="National Emissions Trading System",
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
        operator_id="CNALU0001",
        operator_name="Example Aluminium Co., Ltd.",
        city="Kunming",
        street="8 Dianchi Road",
        contact=ContactPerson(name="Zhang Min", email="zhang.min@example.cn", phone="+86 871 6000 0000"),
        grid_factor=GRID,
        direct_emissions=[
            DirectEmissionSource(
                source_id="anode-consumption", kind="process", tco2e=300_000, attribution={"smelt": 1}
            ),
            # Slope method: 200 000 t x 0.1 AE/cell-day x 1.0 min x 0.12 / 1000 = 2.4 t CF4, 0.24 t C2F6;
            # (2.4 x 6630 + 0.24 x 11100) / 0.9288 = 20 000 tCO2e.
            DirectEmissionSource(
                source_id="pfc-anode-effects",
                kind="pfc",
                pfc_slope=PfcSlopeMethod(
                    technology="Point-feeder prebake (PFPB)",
                    primary_aluminium_t=200_000,
                    anode_effect_frequency=0.1,
                    anode_effect_duration=1.0,
                    sef_cf4=0.12,
                    f_c2f6=0.1,
                    collection_efficiency=0.9288,
                ),
                attribution={"smelt": 1},
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
                        cn_code="76011090",
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
        operator_id="CNCEM0001",
        operator_name="Example Cement Co., Ltd.",
        city="Wuhu",
        street="3 Jiangbei Road",
        contact=ContactPerson(name="Wang Fang", email="wang.fang@example.cn", phone="+86 553 5000 0000"),
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


SMELTER_A_RECEIPT = {
    "receiptVersion": 1,
    "entry": {"type": "footprint", "id": "fp-ingot-yunnan-2026", "sha256": "a1" * 32},
    "leafIndex": 52,
    "treeSize": 1024,
    "rootHash": "cd" * 32,
    "anchor": {"chainId": 31337, "transactionHash": "0x" + "a2" * 32, "blockNumber": 77},
}
SMELTER_B_RECEIPT = {
    "receiptVersion": 1,
    "entry": {"type": "footprint", "id": "fp-ingot-sichuan-2026", "sha256": "b1" * 32},
    "leafIndex": 53,
    "treeSize": 1024,
    "rootHash": "cd" * 32,
    "anchor": {"chainId": 31337, "transactionHash": "0x" + "b2" * 32, "blockNumber": 77},
}


def extrusion_installation() -> Installation:
    """Aluminium extrusion fed by two smelters' ingots, each with the smelter's own published data (two
    installations' precursors)."""
    return Installation(
        installation_id="CN-EXTR-001",
        name="Example Extrusion Plant (Guangdong)",
        operator_id="CNEXTR0001",
        operator_name="Example Extrusion Co., Ltd.",
        city="Foshan",
        street="5 Nanhai Avenue",
        contact=ContactPerson(name="Chen Jing", email="chen.jing@example.cn", phone="+86 757 8000 0000"),
        grid_factor=GRID,
        direct_emissions=[
            DirectEmissionSource(
                source_id="billet-heating-gas",
                kind="fuel",
                activity_data=30,
                activity_unit="TJ",
                emission_factor=56.1,
                factor_source="IPCC 2006 Guidelines Vol. 2 Table 2.2, natural gas",
                attribution={"extrude": 1},
            )
        ],
        processes=[
            ProductionProcess(
                process_id="extrude",
                name="Billet casting and extrusion",
                electricity=[ElectricityUse(mwh=8_000)],
                precursors=[
                    PrecursorInput(
                        precursor_id="ingot-yunnan",
                        cn_code="76011090",
                        mass_t=6_000,
                        production_route="primary",
                        supplier_data=SupplierEmbeddedEmissions(
                            see_direct=1.6561,
                            see_indirect=7.2441,
                            electricity_mwh_per_t=13.5,
                            electricity_factor=0.5366,
                            source="smelter footprint fp-ingot-yunnan-2026 published on the exchange",
                            receipt=SMELTER_A_RECEIPT,
                        ),
                    ),
                    PrecursorInput(
                        precursor_id="ingot-sichuan",
                        cn_code="76011090",
                        mass_t=4_500,
                        production_route="primary",
                        supplier_data=SupplierEmbeddedEmissions(
                            see_direct=1.9,
                            see_indirect=1.4,
                            electricity_mwh_per_t=14.0,
                            electricity_factor=0.1,
                            source="smelter footprint fp-ingot-sichuan-2026 published on the exchange",
                            receipt=SMELTER_B_RECEIPT,
                        ),
                    ),
                ],
                goods=[
                    ProducedGood(
                        good_id="profiles",
                        cn_code="76042100",
                        product_name="Hollow profiles 6063-T5",
                        production_route="primary",
                        activity_level_t=10_000,
                        quantity_to_eu_t=3_000,
                    )
                ],
            )
        ],
        **PERIOD,
    )
