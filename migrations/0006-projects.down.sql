ALTER TABLE llm_ledger_api_keys DROP COLUMN project;
DROP TABLE llm_ledger_projects;
