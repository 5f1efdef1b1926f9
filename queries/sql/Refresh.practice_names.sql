-- practice_names: each practice's name and network from its latest
-- snapshot (latest_practices(), macros.sql), for the indicators that name
-- practices at request time. Working them out from every quarter's
-- practices rows took CampaignEffect about 45 ms of CPU a request at
-- England scale (130,000 rows for 6,500 practices). Derived state, rebuilt
-- whole by Store.Refresh, incremental or not: one row per practice.
CREATE OR REPLACE TABLE practice_names AS
SELECT practice_code, practice_name, pcn FROM latest_practices();
