-- Back to budgets and targets of the whole service. A project's targets go (as organization
-- targets they would receive every budget's alerts), with their deliveries; a project's budgets
-- stay (their scope still names the project) under a name made unique with the project.
DELETE FROM llm_ledger_alert_targets WHERE project IS NOT NULL;
ALTER TABLE llm_ledger_alert_targets DROP CONSTRAINT llm_ledger_alert_targets_project_kind_url_key;
ALTER TABLE llm_ledger_alert_targets DROP COLUMN project;
ALTER TABLE llm_ledger_alert_targets ADD CONSTRAINT llm_ledger_alert_targets_kind_url_key UNIQUE (kind, url);

UPDATE llm_ledger_budgets SET name = name || ' (' || project || ')' WHERE project IS NOT NULL;
ALTER TABLE llm_ledger_budgets DROP CONSTRAINT llm_ledger_budgets_project_name_key;
ALTER TABLE llm_ledger_budgets DROP COLUMN project;
ALTER TABLE llm_ledger_budgets ADD CONSTRAINT llm_ledger_budgets_name_key UNIQUE (name);
