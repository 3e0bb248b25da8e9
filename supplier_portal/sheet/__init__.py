"""The activity table: its vocabulary and limits (:mod:`.columns`), the template in the user's language
(:mod:`.template`) and reading uploads (:mod:`.upload`). :mod:`supplier_portal.activity_sheet` re-exports the
public names and turns rows into the activity-data document."""
