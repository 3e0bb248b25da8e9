"""Licensed background databases through Brightway's own importers (bw2io), offline.

An organisation that holds a licence for an LCI database (ecoinvent, a national database, a consultant's SimaPro
library) imports it as cradle-to-gate factors of its own::

    import_lci(path, fmt, *, gwp_set="AR6", source_id="licensed-lci", owner=None, id_prefix="lci", name=None,
               brightway_dir=None) -> LciImport

``fmt`` is one of :data:`FORMATS`:

* ``"ecospold2"``: a directory of ``.spold`` files, one ``.spold`` file, or a ``.zip`` of ``.spold`` files
  (bw2io ``SingleOutputEcospold2Importer``; elementary flows linked by their ecoinvent UUID; the database is named
  after the file or directory unless ``name`` is given);
* ``"simapro-csv"``: a SimaPro CSV process export, semicolon-separated (bw2io ``SimaProCSVImporter``; SimaPro flow
  names normalised to ecoinvent's by bw2io's own tables; named after the SimaPro project);
* ``"brightway-excel"``: a Brightway Excel workbook (bw2io ``ExcelImporter``; named by its ``Database`` cell).

Each import (the steps are numbered in the code; :mod:`.pipeline` runs them in order):

1. (:mod:`.source`) checks the arguments, the path and its size (at most :data:`MAX_LCI_BYTES`, unpacked);
2. (:mod:`.workspace`) switches Brightway, for the time of the import only, to a private base directory
   holding one project with bw2io's bundled ecoinvent 3.9 elementary-flow list (``biosphere3``, from the data
   file bw2io ships: nothing is downloaded) and the three bw2io migrations these importers apply
   (``default-units``, ``simapro-water``, ``fix-ecoinvent-flows-pre-35``); that directory is built once per
   process and removed at exit, and nothing is ever written to it after that;
3. (:mod:`.importers`) reads the file with bw2io's importer and applies the importer's own strategies;
4. (:mod:`.importers`) refuses the database when an exchange is still unlinked (up to 10 named; for ecospold2
   also the inputs that bw2io's strategies delete because their supplying dataset is not in the import) or
   when it holds no activity;
5. (:mod:`.inventory`) computes with bw2calc, for every activity, the life-cycle inventory of one unit of its
   reference product (one factorisation of the technosphere matrix, one solve per activity);
6. (:mod:`.result`, with :mod:`.flows` and :mod:`.units`) keeps the greenhouse-gas flows (:data:`GHG_FLOWS`:
   ecoinvent flow name and compartment → the engine's ``GAS/origin`` key) as kg per unit; a flow that the IPCC
   2021 GWP100 method bw2io bundles characterises but that the engine has no key for is listed in
   ``unmatched_flows``; other flows are not greenhouse gases;
7. (:mod:`.workspace`) restores Brightway's previous base directory and project.

The result holds one :class:`~footprint_engine.factors.model.Factor` per activity (kind ``material``, id
``f"{id_prefix}/{database slug}/{activity code}"``, not redistributable, owned by ``owner``) with masses per gas:
the engine characterises them with the library's GWP set when a footprint uses the factor. The GWP100 score of
each factor under ``gwp_set`` comes alongside, for display. An activity whose unit has no engine unit, or whose
net inventory of a gas is negative (the engine takes emissions >= 0), is left out and named in ``skipped``.

Brightway's current project is process-global state that the footprint engine also uses: **call import_lci under
the same lock as the engine's calculations** (the node's ``node_service.services.footprints.engine`` lock) and
pass the same ``brightway_dir`` as ``CalculationOptions.brightway_dir`` (it applies only when Brightway is not yet
imported in the process). Parameterised datasets are imported with their stored amounts (formulas are not
re-evaluated).
"""

from __future__ import annotations

from footprint_engine.factors.lci.flows import GHG_FLOWS, IPCC_2021_GWP100_FLOWS, flow_key_of
from footprint_engine.factors.lci.pipeline import import_lci
from footprint_engine.factors.lci.result import LciImport
from footprint_engine.factors.lci.source import FORMATS, MAX_LCI_BYTES, LciFormat
from footprint_engine.factors.lci.units import UNITS

__all__ = [
    "FORMATS",
    "GHG_FLOWS",
    "IPCC_2021_GWP100_FLOWS",
    "MAX_LCI_BYTES",
    "UNITS",
    "LciFormat",
    "LciImport",
    "flow_key_of",
    "import_lci",
]
