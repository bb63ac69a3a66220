DROP TABLE IF EXISTS llm_ledger_api_keys;
