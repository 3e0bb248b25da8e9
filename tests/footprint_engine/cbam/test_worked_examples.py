"""The three worked examples of docs/cbam.md, checked against hand calculations written out here."""

from __future__ import annotations

import pytest

from footprint_engine.cbam import ELECTRICITY_RULE_SOURCE, build_communication

from .examples import INSTALLATION_RECEIPT, PIG_IRON_RECEIPT, cement_installation


def comm(installation, price=80.0):
    return build_communication(
        installation, period=2026, certificate_price_eur=price, receipts=[INSTALLATION_RECEIPT]
    )


def test_steel_bf_bof_hot_rolled_coil_with_purchased_pig_iron(steel):
    c = comm(steel)
    (g,) = c.goods
    # Direct: 1000 TJ x 56.1 + 12 000 = 68 100 t; pig iron 90 000 t x 1.85 = 166 500 t; / 100 000 t.
    assert g.see_direct == pytest.approx((68_100 + 166_500) / 100_000)  # 2.346
    # Indirect: 50 000 MWh x 0.5366 = 26 830 t; pig iron 90 000 x 0.10 = 9 000 t.
    assert g.see_indirect == pytest.approx((26_830 + 9_000) / 100_000)  # 0.3583
    assert g.see_total == pytest.approx(2.7043)
    # Iron and steel: only direct emissions count in the definitive period.
    assert g.indirect_counts is False and g.see_counted == pytest.approx(2.346)
    assert g.production_route == "bf_bof" and g.default_route_code == "C"
    d = g.default_comparison
    assert d is not None
    assert d.default_key == "CN|7208|C" and d.markup == pytest.approx(0.10)
    assert d.default_counted_per_t == pytest.approx(3.187 * 1.1)  # 3.5057
    assert d.difference_per_t == pytest.approx(3.5057 - 2.346)  # 1.1597
    assert d.difference_t == pytest.approx(1.1597 * 20_000)  # 23 194 t
    assert d.difference_eur == pytest.approx(23_194 * 80)  # EUR 1 855 520
    # Carbon price paid in China: (0.8 - 0.7) x 2.7043 x 90 CNY = 24.3387 CNY/t = 3.0910 EUR/t.
    cp = g.carbon_price
    assert cp is not None
    assert cp.price_due_per_t == pytest.approx(0.8 * 2.7043 * 90, abs=1e-4)
    assert cp.effective_price_per_t == pytest.approx(24.3387, abs=1e-4)
    assert cp.effective_price_per_t_eur == pytest.approx(3.091, abs=1e-4)
    # The supplier's receipt travels with the communication, after the caller's.
    assert c.receipts == [INSTALLATION_RECEIPT, PIG_IRON_RECEIPT]
    (p,) = c.processes
    assert p.precursors[0].determination == "actual_supplier"


def test_aluminium_unwrought_primary(aluminium):
    (g,) = comm(aluminium).goods
    # 300 000 + 20 000 + 200 TJ x 56.1 = 331 220 t / 200 000 t.
    assert g.see_direct == pytest.approx(1.6561)
    # 2 700 000 MWh x 0.5366 = 1 448 820 t / 200 000 t.
    assert g.see_indirect == pytest.approx(7.2441)
    assert g.see_total == pytest.approx(8.9002)
    assert g.see_counted == pytest.approx(1.6561)
    assert g.embedded_electricity_mwh_per_t == pytest.approx(13.5)
    d = g.default_comparison
    assert d is not None and d.default_key == "CN|7601|K"
    assert d.default_counted_per_t == pytest.approx(3.3)
    assert d.difference_t == pytest.approx((3.3 - 1.6561) * 10_000)  # 16 439 t
    assert d.difference_eur == pytest.approx(16_439 * 80)


def _by_id(c):
    return {g.good_id: g for g in c.goods}


def test_cement_grey_clinker_to_portland_cement_counts_indirect():
    goods = _by_id(comm(cement_installation("gec")))
    clinker, cement = goods["grey-clinker"], goods["cem-i-42-5"]
    # Kiln: 420 000 + 3000 TJ x 96.1 = 708 300 t / 800 000 t; 64 000 MWh x 0.5366 = 34 342.4 t.
    assert clinker.see_direct == pytest.approx(0.88538)  # 0.885375 rounded to 5 decimals
    assert clinker.see_indirect == pytest.approx(0.04293)  # 0.042928
    assert clinker.production_route == "grey_clinker" and clinker.cn_code == "2523100090"
    # Grinding: 50 TJ x 56.1 = 2 805 t; own clinker 760 000 t x 0.885375 = 672 885 t;
    # bought clinker 100 000 t at the default 1.35 (no mark-up) = 135 000 t; / 1 000 000 t.
    assert cement.see_direct == pytest.approx(0.81069)
    # 40 000 MWh x 0.5366 = 21 464; 760 000 x 0.042928 = 32 625.28; 100 000 x 0.04 = 4 000.
    assert cement.see_indirect == pytest.approx(0.05809)
    assert cement.indirect_counts is True
    assert cement.see_counted == pytest.approx(0.86878)
    # 139 000 t of 868 779.28 t come from default values.
    assert cement.default_share == pytest.approx(0.16, abs=1e-4)
    d = cement.default_comparison
    assert d is not None and d.default_key == "CN|25232900"
    assert d.default_counted_per_t == pytest.approx((1.35 + 0.07) * 1.1)  # 1.562
    assert d.difference_t == pytest.approx((1.562 - 0.86878) * 50_000)  # 34 661 t
    assert d.difference_eur == pytest.approx(34_661 * 80)
    dc = clinker.default_comparison
    assert dc is not None and dc.default_key == "CN|2523100090|A"
    assert dc.default_counted_per_t == pytest.approx((1.35 + 0.04) * 1.1)


def test_gec_alone_does_not_change_cbam_figures():
    plain = _by_id(comm(cement_installation("none")))["cem-i-42-5"]
    with_gec = _by_id(comm(cement_installation("gec")))["cem-i-42-5"]
    for field in ("see_direct", "see_indirect", "see_total", "see_counted"):
        assert getattr(plain, field) == getattr(with_gec, field)
    assert any("GEC claim of 40000 MWh recorded, no effect" in n for n in with_gec.notes)


def test_ppa_meeting_conditions_applies_producer_factor():
    c = comm(cement_installation("ppa"))
    cement = _by_id(c)["cem-i-42-5"]
    # Indirect: 0 (wind under PPA) + 32 625.28 + 4 000 = 36 625.28 t / 1 000 000 t.
    assert cement.see_indirect == pytest.approx(0.03663)
    assert cement.see_counted == pytest.approx(0.84732)
    assert cement.default_comparison is not None
    assert cement.default_comparison.difference_eur == pytest.approx((1.562 - 0.84732) * 50_000 * 80)
    line = next(p for p in c.processes if p.process_id == "grinding").electricity[0]
    assert line.basis == "power_purchase_agreement" and line.factor_tco2_per_mwh == 0.0
    assert (
        c.electricity_rule_source == ELECTRICITY_RULE_SOURCE
        and "Annex IV point 6" in c.electricity_rule_source
    )


def test_ppa_short_of_the_claim_falls_back_to_grid():
    c = comm(cement_installation("ppa-short"))
    cement = _by_id(c)["cem-i-42-5"]
    assert cement.see_indirect == pytest.approx(0.05809)
    line = next(p for p in c.processes if p.process_id == "grinding").electricity[0]
    assert line.basis == "grid" and "covers 30000 MWh, less than 40000 MWh" in line.reason


def test_markup_schedule_2027_2028_and_later(steel):
    for year, markup in ((2026, 0.10), (2027, 0.20), (2028, 0.30), (2031, 0.30)):
        c = build_communication(steel, period=year, certificate_price_eur=80)
        d = c.goods[0].default_comparison
        assert d is not None and d.markup == pytest.approx(markup)
        assert d.default_counted_per_t == pytest.approx(round(3.187 * (1 + markup), 5))


def test_no_certificate_price_means_no_comparison(steel):
    c = build_communication(steel, period=2026)
    assert c.goods[0].default_comparison is None
