-- What the providers billed, beside the ledger's own estimates (docs/bills.md). One row per line of a
-- provider's daily cost report or of an imported bill file. A re-import replaces the rows of the same
-- provider, day and source, so the import is idempotent and a nightly run is safe.
CREATE TABLE llm_ledger_bills (
  id          BIGSERIAL PRIMARY KEY,
  provider    TEXT NOT NULL,
  -- The UTC day the provider's bucket covers.
  day         DATE NOT NULL,
  source      TEXT NOT NULL CHECK (source IN ('api', 'file')),
  -- The provider's own words for the line ("gpt-4o-mini, input", "Claude Sonnet 4.5 Usage - Input Tokens").
  line_item   TEXT NOT NULL,
  -- The canonical model id when the line names one the catalog resolves (else the id as given).
  model       TEXT,
  -- The provider's project or workspace id, when the report groups by it.
  account     TEXT,
  -- Exact, unscaled: kept as the provider sent it (converted to dollars), never rounded.
  amount      NUMERIC NOT NULL,
  -- ISO 4217, upper case; only USD is compared unless reconcile is given a rate.
  currency    TEXT NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  imported_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX llm_ledger_bills_provider_day ON llm_ledger_bills (provider, day, source);
