"""Every problem a person can meet through the portal, worded from its code and parameters: the node's problem types
(``NodeError.problem``), the dry run's codes (node_service.services.submissions.dry_run), the rules of the schema
(pydantic's error types), of the footprint engine (``FootprintEngineError.what``) and of identifier syntax
(``IdentifierError.rule``).

Texts are English msgids of the portal's catalogue (supplier_portal/locale); each code has candidates, most
specific first, and the first whose ``{placeholders}`` the problem's parameters fill is used — the last needs at most
``{label}`` (the field as the form names it). tests/supplier_portal/test_problem_texts.py collects the codes the
code base can raise and fails on one without a text here, or without its Chinese translation.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ENGINE_RULES",
    "FALLBACK",
    "IDENTIFIER_RULES",
    "PROBLEMS",
    "SCHEMA_FALLBACK",
    "SCHEMA_RULES",
]


def N_(message: str) -> str:
    return message


#: Shown for a code without a text of its own (the test keeps this from happening): names the field, no English.
FALLBACK = N_("{label}: this value was not accepted — check it and try again.")

PROBLEMS: Final[dict[str, tuple[str, ...]]] = {
    # --- the dry run's own codes ---------------------------------------------------------------------------
    "not-an-object": (N_("The document is not activity data: prepare it again from the form."),),
    "wrong-credential-type": (
        N_("The credential is not an activity-data credential: prepare the activity data again from the form."),
    ),
    "issuer-not-you": (N_("The credential's issuer is not your organisation; sign with your organisation's key."),),
    "organisation-not-you": (
        N_("The activity data names another organisation ({value})."),
        N_("The activity data names another organisation."),
    ),
    "credential-id-taken": (
        N_("This credential id is taken by a stored submission: prepare the activity data again."),
    ),
    "invalid-identifier": (
        N_("“{value}” is not a valid identifier: {reason}"),
        N_("“{value}” is not a valid identifier: give an IDIS handle, a GTIN or a URN."),
        N_("Not a valid identifier: give an IDIS handle, a GTIN or a URN."),
    ),
    "unresolvable-identifier": (
        N_("The identifier “{value}” does not resolve: no record of it is registered."),
        N_("The identifier does not resolve: no record of it is registered."),
    ),
    "unresolved-identifier": (
        N_("The identifier “{value}” could not be looked up now: it is kept, marked as not yet resolved."),
        N_("The identifier could not be looked up now: it is kept, marked as not yet resolved."),
    ),
    "product-not-yours": (
        N_("This product belongs to another organisation, which has not delegated its prefix to you."),
    ),
    "evidence-not-stored": (
        N_("Evidence {cid} was not uploaded by your organisation: upload it first."),
        N_("This evidence was not uploaded by your organisation: upload it first."),
    ),
    "gec-serial-invalid": (
        N_("GEC serial “{serial}” is not valid: copy it from the certificate as printed (letters and digits)."),
        N_("This GEC serial is not valid: copy it from the certificate as printed (letters and digits)."),
    ),
    "gec-serial-claimed": (
        N_("GEC serial {serial} is already claimed on this exchange."),
        N_("This GEC serial is already claimed on this exchange."),
    ),
    "green-power-contract-claimed": (
        N_("This green-power contract's delivery is already claimed for this period by another submission."),
    ),
    "upstream-footprint-not-visible": (
        N_(
            "No footprint of {identifier} is shared with you: ask the supplier to share it, or remove the citation."
        ),
        N_("The cited footprint is not shared with you."),
    ),
    "unknown-geography": (
        N_(
            "{value} is not a known region: give a province code such as CN-YN, a regional grid such as CN-South, or CN."
        ),
        N_(
            "Not a known region: give a province code such as CN-YN, a regional grid such as CN-South, or CN."
        ),
    ),
    "unknown-factor": (
        N_(
            "No factor {factorId} in your factor library: pick one with the search in the emission factor column."
        ),
        N_(
            "No factor in your factor library fits this input: pick one with the search in the emission factor column."
        ),
    ),
    "unit-mismatch": (
        N_("The unit {unit} cannot be converted to {factorUnit}, the unit of factor {factorId}."),
        N_("The unit {unit} cannot be converted to the unit of the factor."),
        N_("The unit cannot be converted to the unit of the emission factor: give the amount in the factor's unit."),
    ),
    "unit-invalid": (
        N_("This unit is unknown or does not fit this field: use a unit such as t, kg, kWh, MWh, GJ or m3."),
    ),
    "illustrative-factor": (
        N_(
            "Factor {factorId} is an illustrative value (order of magnitude only): pick a published factor with the "
            "search in the emission factor column."
        ),
        N_("This factor is an illustrative value (order of magnitude only): pick a published factor with the search in the emission factor column."),
    ),
    "green-power-claim": (
        N_("The green-power claim is not valid: check its serial, dates and quantity against the certificate or contract."),
    ),
    "allocation": (N_("The allocation among co-products is incomplete or does not add up to 100 %."),),
    "upstream-footprint": (N_("The cited upstream footprint is missing or does not fit this input."),),
    "activity-rule": (N_("{label}: the activity data breaks a rule of its format — check this field."),),
    "engine-refused": (
        N_("The calculation refused this input: check its amount, unit and emission factor."),
    ),
    "schema": (N_("{label}: this value does not fit the field — check it against the form."),),
    # --- the node's problem types (NodeError.problem) -------------------------------------------------------
    "internal-error": (
        N_("Something went wrong on the exchange; nothing was stored. Try again, and tell the operator if it recurs."),
    ),
    "startup-failed": (N_("The exchange is not ready: try again later, or tell the operator."),),
    "validation-failed": (
        N_("{label}: this value was not accepted — check it and try again."),
    ),
    "access-denied": (N_("You may not see or change this."),),
    "unauthenticated": (N_("Sign in first."),),
    "not-found": (N_("Not found: it may have been removed, or the link is wrong."),),
    "method-not-allowed": (N_("This page does not take that kind of request: go back and use the form."),),
    "http": (N_("The request could not be handled: go back and try again."),),
    "conflict": (N_("This conflicts with data stored already: reload the page and check."),),
    "not-anchored-yet": (N_("Not anchored on the blockchain yet: try again in a few minutes."),),
    "database-unavailable": (
        N_("The exchange cannot save anything right now: nothing was stored. Try again in a few minutes."),
    ),
    "body-too-large": (N_("The request is too large: send a smaller file or fewer rows."),),
    "json-too-deep": (N_("The document is nested too deeply: prepare it again from the form."),),
    "backup-failed": (N_("The backup failed: tell the operator."),),
    "chain-error": (N_("The blockchain node did not answer as expected: try again later, or tell the operator."),),
    "evidence-too-large": (N_("The evidence file is too large: compress it or split it into parts."),),
    "upload-invalid": (N_("The upload is not a valid evidence file: choose the file again and upload it."),),
    "key-not-registered": (
        N_("The signing key is not registered to your organisation: add it on the key page first."),
    ),
    "key-not-yet-added": (
        N_("The signature is dated before its key was added to your organisation: sign again."),
    ),
    "key-revoked": (N_("The key was revoked before this signature was made: sign with a current key."),),
    "key-retired": (N_("The key was retired before this signature was made: sign with a current key."),),
    "proof-time-invalid": (
        N_("The signature's time is missing, in the future or too old: check your computer's clock and sign again."),
    ),
    "name-has-control-character": (
        N_("{label} holds an invisible control or text-direction character: type the name again."),
    ),
    "oauth-error": (N_("Signing in to the PACT partner failed: check the client id and secret."),),
    "pact-error": (N_("The PACT partner refused the request: try again later."),),
    "receipt-invalid": (N_("The receipt is not valid: it does not match the log or the blockchain."),),
    "report-failed": (N_("The study report could not be made: try again, and tell the operator if it recurs."),),
    "report-font-missing": (
        N_("The study report cannot be made: the Chinese font is not installed on the exchange — tell the operator."),
    ),
    # --- the portal's own (supplier_portal.errors; their messages carry their own msgids) ------------------
    "portal-error": (N_("The portal could not do that: go back and try again."),),
    "form-invalid": (N_("The form is not valid: correct the marked fields."),),
    "not-signed-in": (N_("Sign in first."),),
    "role-required": (N_("Your role does not allow this: ask your organisation's administrator."),),
    "csrf-failed": (N_("The form expired or came from another site. Reload the page and try again."),),
    "sign-in-throttled": (N_("Too many failed sign-ins: wait a few minutes and try again."),),
}  # fmt: skip

#: pydantic's error types (``params.rule`` of code ``schema``).
SCHEMA_RULES: Final[dict[str, tuple[str, ...]]] = {
    "missing": (N_("This field is required."),),
    "extra_forbidden": (N_("Unknown field: remove it."),),
    "float_parsing": (N_("Enter a number (got “{value}”)."), N_("Enter a number.")),
    "float_type": (N_("Enter a number (got “{value}”)."), N_("Enter a number.")),
    "finite_number": (N_("Enter a finite number."),),
    "int_parsing": (N_("Enter a whole number (got “{value}”)."), N_("Enter a whole number.")),
    "int_type": (N_("Enter a whole number (got “{value}”)."), N_("Enter a whole number.")),
    "int_from_float": (N_("Enter a whole number (got “{value}”)."), N_("Enter a whole number.")),
    "bool_parsing": (N_("Choose yes or no."),),
    "bool_type": (N_("Choose yes or no."),),
    "string_type": (N_("Enter text here."),),
    "greater_than_equal": (N_("Enter a number of at least {ge}."), N_("Enter a larger number.")),
    "greater_than": (N_("Enter a number above {gt}."), N_("Enter a larger number.")),
    "less_than_equal": (N_("Enter a number of at most {le}."), N_("Enter a smaller number.")),
    "less_than": (N_("Enter a number below {lt}."), N_("Enter a smaller number.")),
    "string_too_short": (N_("This field may not be empty."),),
    "string_too_long": (N_("This text is too long: at most {max_length} characters."), N_("This text is too long.")),
    "too_short": (N_("Give at least {min_length} entries here."), N_("Give more entries here.")),
    "too_long": (N_("Give at most {max_length} entries here."), N_("Give fewer entries here.")),
    "list_type": (N_("Give a list here."),),
    "model_type": (N_("This part of the document is missing or malformed: prepare it again from the form."),),
    "model_attributes_type": (N_("This part of the document is missing or malformed: prepare it again from the form."),),
    "dict_type": (N_("This part of the document is missing or malformed: prepare it again from the form."),),
    "literal_error": (N_("Use one of {expected}."), N_("Use one of the allowed values.")),
    "enum": (N_("Use one of {expected}."), N_("Use one of the allowed values.")),
    "union_tag_invalid": (N_("Choose one of the kinds offered."),),
    "union_tag_not_found": (N_("Choose one of the kinds offered."),),
    "date_from_datetime_parsing": (N_("Enter a date as YYYY-MM-DD (got “{value}”)."), N_("Enter a date as YYYY-MM-DD.")),
    "date_from_datetime_inexact": (N_("Enter a date as YYYY-MM-DD (got “{value}”)."), N_("Enter a date as YYYY-MM-DD.")),
    "date_parsing": (N_("Enter a date as YYYY-MM-DD (got “{value}”)."), N_("Enter a date as YYYY-MM-DD.")),
    "date_type": (N_("Enter a date as YYYY-MM-DD (got “{value}”)."), N_("Enter a date as YYYY-MM-DD.")),
    "datetime_parsing": (N_("Enter a date and time as YYYY-MM-DDThh:mm:ssZ."),),
    "datetime_from_date_parsing": (N_("Enter a date and time as YYYY-MM-DDThh:mm:ssZ."),),
    "datetime_type": (N_("Enter a date and time as YYYY-MM-DDThh:mm:ssZ."),),
    "string_pattern_mismatch": (N_("“{value}” does not have the expected form."), N_("The value does not have the expected form.")),
    "value_error": (N_("{label}: this value does not fit the field — check it against the form."),),
}  # fmt: skip
SCHEMA_FALLBACK = PROBLEMS["schema"]

#: The footprint engine's rules (``FootprintEngineError.what`` of the kinds that reach a person: unit,
#: green-power claim, allocation, activity data, factor not found, upstream footprint) and the GEC serial's
#: syntax rules (footprint_engine.gec_serial).
ENGINE_RULES: Final[dict[str, tuple[str, ...]]] = {
    "unknown unit": (N_("This unit is not known: choose one of the units offered (t, kg, kWh, MWh, GJ, m3 …)."),),
    "unit missing": (N_("The unit is missing: choose one, such as t, kg, kWh, MWh, GJ or m3."),),
    "unit has the wrong dimension": (
        N_("This unit does not fit the field (a mass where an energy is needed, say): choose a unit of the right kind."),
    ),
    "unit mismatch": PROBLEMS["unit-mismatch"][-1:],
    "no net calorific value": (
        N_("This fuel is given as energy but its factor has no net calorific value: give the amount in t or m3."),
    ),
    "unknown factor": PROBLEMS["unknown-factor"][-1:],
    "GEC claim refused": (
        N_("The GEC claim is not valid: check its serial, its production and cancellation dates, and that it was cancelled for your organisation."),
    ),
    "GEC serial claimed twice": (N_("This GEC serial is given twice: give each certificate once."),),
    "green-power claim exceeds consumption": (
        N_("The green-power claims cover more electricity than this row consumed: lower the claimed quantity."),
    ),
    "green-power contract claim refused": (
        N_("The green-power contract claim is not valid: check the contract id, the delivery period and the quantity."),
    ),
    "gec-serial-blank": (N_("The GEC serial is empty: copy it from the certificate."),),
    "gec-serial-characters": (
        N_("The GEC serial holds characters other than letters and digits: copy it from the certificate as printed."),
    ),
    "gec-serial-length": (N_("The GEC serial is too long: copy it from the certificate as printed."),),
    "allocation missing": (
        N_("Co-products are listed but no allocation is given: give the allocation basis and shares."),
    ),
    "allocation basis is zero": (N_("The allocation basis adds up to zero: give each product's mass or economic value."),),
    "allocation names unknown products": (
        N_("The allocation names a product that is not listed: use the identifiers of the product and its co-products."),
    ),
    "allocation share out of range": (N_("An allocation share is outside 0–100 %."),),
    "allocation shares do not match the products": (
        N_("The allocation shares do not match the products: give one share for the product and each co-product."),
    ),
    "allocation shares do not sum to 100 %": (N_("The allocation shares do not add up to 100 %."),),
    "co-product listed twice": (N_("A co-product is listed twice: list each once."),),
    "economic value missing": (N_("Allocation by economic value needs each product's economic value."),),
    "duplicate input id": (N_("Two rows have the same id: give each row its own id."),),
    "produced quantity is zero": (N_("The quantity produced is zero: give the production of the period."),),
    "quantity is zero": (N_("The quantity is zero: give a quantity above zero."),),
    "functional unit missing": (N_("A cradle-to-grave footprint needs a functional unit."),),
    "life-cycle scenario missing": (
        N_("A cradle-to-grave footprint needs a use scenario and an end-of-life scenario."),
    ),
    "end-of-life product mass missing": (N_("The end-of-life scenario needs the product's mass."),),
    "end-of-life shares do not sum to 100 %": (N_("The shares of the end-of-life routes do not add up to 100 %."),),
    "upstream footprint missing": (N_("The cited upstream footprint is not available: cite one shared with you."),),
    "upstream footprint mismatch": (
        N_("The cited upstream footprint does not fit this input: its declared unit differs from the input's unit."),
    ),
    "upstream footprint version mismatch": (
        N_("The cited version of the upstream footprint does not exist: cite a published version."),
    ),
    "changed footprint not supplied": (
        N_("A cited upstream footprint has changed: cite its current version."),
    ),
}  # fmt: skip

#: Identifier syntax rules (identifier_resolver.syntax, ``IdentifierError.rule``): the reason, completing
#: "“{value}” is not a valid identifier: …". Check-character rules have ``got`` and ``want``.
IDENTIFIER_RULES: Final[dict[str, tuple[str, ...]]] = {
    "type": (N_("it is not text."),),
    "length": (N_("it is too long (at most 2048 characters)."),),
    "unrecognised": (
        N_("it is none of the kinds the exchange knows: an IDIS handle (prefix/suffix), a GTIN (8, 12, 13 or 14 digits), a GS1 Digital Link, a unified social credit code (18 characters) or a PACT URN."),
    ),
    "not-a-product": (
        N_("it is a company's unified social credit code, not a product's identifier: give the product's IDIS handle, GTIN or URN."),
    ),
    "rfc8141-syntax": (N_("it is not a well-formed URN."),),
    "urn-namespace": (N_("it is not a PACT URN (urn:pact:…)."),),
    "dl-length": (N_("the link is too long (at most 2048 characters)."),),
    "dl-scheme": (N_("a GS1 Digital Link starts with https://."),),
    "dl-host": (N_("the link has no valid host."),),
    "dl-primary-key": (N_("the link has no /01/ followed by a GTIN."),),
    "dl-qualifier": (N_("a part after the GTIN in the link is not valid."),),
    "dl-qualifier-order": (N_("the parts after the GTIN in the link are out of order."),),
    "dl-qualifier-value": (N_("a part after the GTIN in the link is not valid."),),
    "gtin-type": (N_("it is not text."),),
    "gtin-digits": (N_("a GTIN has digits only."),),
    "gtin-length": (N_("a GTIN has 8, 12, 13 or 14 digits."),),
    "gtin-check-digit": (
        N_("the check digit is {got} but should be {want}: a digit was mistyped — copy the GTIN from the label."),
        N_("the check digit is wrong: a digit was mistyped — copy the GTIN from the label."),
    ),
    "handle-type": (N_("it is not text."),),
    "handle-url": (N_("a handle has no “?” or “#” part: remove it."),),
    "handle-encoding": (N_("its %-escapes are not UTF-8."),),
    "handle-length": (N_("it is too long."),),
    "handle-separator": (N_("it has no “/” between prefix and suffix."),),
    "handle-prefix": (N_("the prefix before “/” is not valid."),),
    "handle-suffix": (N_("nothing follows the “/”: add the product's own code."),),
    "handle-characters": (N_("it holds control characters or spaces at either end: type it again."),),
    "idis-prefix": (
        N_("an industrial internet identifier prefix has the form 88.<industry code>.<enterprise code>: copy it as issued."),
    ),
    "uscc-type": (N_("it is not text."),),
    "uscc-length": (N_("a unified social credit code has 18 characters."),),
    "uscc-charset": (N_("it holds a character that unified social credit codes do not use."),),
    "uscc-division-code": (N_("characters 3–8 are not an administrative division code."),),
    "uscc-check-character": (
        N_("the check character (the 18th) is {got} but should be {want}: a character was mistyped — copy the code from the business licence."),
        N_("the check character (the 18th) is wrong: copy the code from the business licence."),
    ),
    "uscc-organisation-code-check": (
        N_("the organisation code inside it (characters 9–17) ends in {got} but should end in {want}: copy the code from the business licence."),
        N_("the organisation code inside it (characters 9–17) is wrong: copy the code from the business licence."),
    ),
}  # fmt: skip
