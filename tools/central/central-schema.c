/* central-schema.c — the city's PostgreSQL schema, as numbered migrations
 * (see central.h). Entry i takes schema motcua from version i to i + 1;
 * a released entry is never edited, a change is a new entry. */
#include "central.h"

const char *const mc_central_migrations[] = {
	/* 0 -> 1: offices, events by month, tickets, daily roll-ups, board
	 * facts, the roles' rights and row-level security. */
	"CREATE TABLE motcua.offices ("
	"  code text PRIMARY KEY,"
	"  name text NOT NULL,"
	"  grp text NOT NULL DEFAULT '',"                 /* the city's grouping of wards */
	"  role name NOT NULL UNIQUE,"                    /* its PostgreSQL login role */
	"  timezone text NOT NULL DEFAULT 'Asia/Ho_Chi_Minh',"
	"  added_at timestamptz NOT NULL DEFAULT now());"
	/* Events: the kiosks' append-only logs, one partition per month of
	 * UTC time. (office, store_id, event_id) is the key; at is in it
	 * because a partitioned table's key must hold the partition key, and
	 * an event's time never changes, so a resend still conflicts. */
	"CREATE TABLE motcua.events ("
	"  office text NOT NULL, store_id text NOT NULL, event_id bigint NOT NULL,"
	"  at timestamptz NOT NULL, at_ms bigint NOT NULL, mono bigint NOT NULL, boot bigint NOT NULL,"
	"  day date NOT NULL, kind text NOT NULL, ticket bigint NOT NULL, counter int NOT NULL,"
	"  clerk int NOT NULL, value int NOT NULL, detail text NOT NULL,"
	"  received_at timestamptz NOT NULL DEFAULT now(),"
	"  PRIMARY KEY (office, store_id, event_id, at)"
	") PARTITION BY RANGE (at);"
	"CREATE TABLE motcua.events_default PARTITION OF motcua.events DEFAULT;"
	/* Tickets, kept from the events: each batch carries the row of every
	 * ticket its events touched, as the kiosk's store holds it after them
	 * (version = the newest event id it reflects); folded in by
	 * motcua.fold(). */
	"CREATE TABLE motcua.tickets ("
	"  office text NOT NULL, store_id text NOT NULL, ticket bigint NOT NULL, version bigint NOT NULL,"
	"  service text NOT NULL, cur_service text NOT NULL, day date NOT NULL, label text NOT NULL,"
	"  priority boolean NOT NULL, status text NOT NULL, print text NOT NULL,"
	"  counter int NOT NULL, clerk int NOT NULL, rating int NOT NULL, transfers int NOT NULL,"
	"  issued_ms bigint NOT NULL, called_ms bigint NOT NULL, finished_ms bigint NOT NULL,"
	"  wait_ms bigint NOT NULL, service_ms bigint NOT NULL,"
	"  PRIMARY KEY (office, store_id, ticket));"
	"CREATE INDEX tickets_day ON motcua.tickets (office, day, service);"
	"CREATE TABLE motcua.ticket_inbox (LIKE motcua.tickets);"
	/* Daily roll-ups per office and service: counts and sums (means);
	 * medians and P90 come from the tickets. */
	"CREATE TABLE motcua.daily ("
	"  office text NOT NULL, day date NOT NULL, service text NOT NULL,"
	"  tickets int NOT NULL, served int NOT NULL, noshow int NOT NULL, voided int NOT NULL,"
	"  expired int NOT NULL, in_doubt int NOT NULL,"
	"  waits int NOT NULL, wait_sum_ms bigint NOT NULL, with_target int NOT NULL, over_target int NOT NULL,"
	"  r1 int NOT NULL, r2 int NOT NULL, r3 int NOT NULL, r4 int NOT NULL,"
	"  wait_values bigint[] NOT NULL,"                /* the day's waits, sorted (exact medians) */
	"  PRIMARY KEY (office, day, service));"
	/* Board facts: what the reports need from each office's board.conf. */
	"CREATE TABLE motcua.services ("
	"  office text NOT NULL, service text NOT NULL, position int NOT NULL, name text NOT NULL,"
	"  name_en text NOT NULL, target_ms bigint NOT NULL,"
	"  PRIMARY KEY (office, service));"
	/* The calling role's office code (NULL for any other role). */
	"CREATE FUNCTION motcua.my_office() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER"
	"  SET search_path = motcua, pg_temp AS"
	"  $$ SELECT code FROM motcua.offices WHERE role = session_user $$;"
	/* Folds the calling office's ticket inbox into tickets and refreshes
	 * the roll-ups of the (day, service) pairs it touched. */
	"CREATE FUNCTION motcua.fold() RETURNS int LANGUAGE plpgsql SECURITY DEFINER"
	"  SET search_path = motcua, pg_temp AS $$\n"
	"DECLARE o text := motcua.my_office(); keys text[]; n int;\n"
	"BEGIN\n"
	"  IF o IS NULL THEN RAISE EXCEPTION 'role % is no office', session_user; END IF;\n"
	"  WITH src AS (DELETE FROM ticket_inbox WHERE office = o RETURNING *),\n"
	"  latest AS (SELECT DISTINCT ON (store_id, ticket) * FROM src ORDER BY store_id, ticket, version DESC),\n"
	"  up AS (INSERT INTO tickets SELECT * FROM latest ON CONFLICT (office, store_id, ticket) DO UPDATE SET\n"
	"    version = excluded.version, cur_service = excluded.cur_service, status = excluded.status,\n"
	"    print = excluded.print, counter = excluded.counter, clerk = excluded.clerk,\n"
	"    rating = excluded.rating, transfers = excluded.transfers, called_ms = excluded.called_ms,\n"
	"    finished_ms = excluded.finished_ms, wait_ms = excluded.wait_ms, service_ms = excluded.service_ms\n"
	"    WHERE tickets.version <= excluded.version RETURNING day, service)\n"
	"  SELECT array_agg(DISTINCT day::text || '|' || service), count(*) INTO keys, n FROM up;\n"
	"  IF keys IS NULL THEN RETURN 0; END IF;\n"
	"  DELETE FROM daily d WHERE d.office = o AND d.day::text || '|' || d.service = ANY(keys);\n"
	"  INSERT INTO daily SELECT t.office, t.day, t.service, count(*),\n"
	"    count(*) FILTER (WHERE status = 'finished'), count(*) FILTER (WHERE status = 'noshow'),\n"
	"    count(*) FILTER (WHERE status = 'voided'), count(*) FILTER (WHERE status = 'expired'),\n"
	"    count(*) FILTER (WHERE print = 'in_doubt'),\n"
	"    count(*) FILTER (WHERE wait_ms >= 0), coalesce(sum(wait_ms) FILTER (WHERE wait_ms >= 0), 0),\n"
	"    count(*) FILTER (WHERE wait_ms >= 0 AND s.target_ms > 0),\n"
	"    count(*) FILTER (WHERE wait_ms >= 0 AND s.target_ms > 0 AND wait_ms > s.target_ms),\n"
	"    count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 2),\n"
	"    count(*) FILTER (WHERE rating = 3), count(*) FILTER (WHERE rating = 4),\n"
	"    coalesce(array_agg(wait_ms ORDER BY wait_ms) FILTER (WHERE wait_ms >= 0), '{}')\n"
	"  FROM tickets t LEFT JOIN services s ON s.office = t.office AND s.service = t.service\n"
	"  WHERE t.office = o AND t.day::text || '|' || t.service = ANY(keys)\n"
	"    AND t.day = ANY(SELECT split_part(k, '|', 1)::date FROM unnest(keys) k)\n"
	"  GROUP BY t.office, t.day, t.service;\n"
	"  RETURN n;\n"
	"END $$;"
	/* Replaces the calling office's board facts (time zone, services);
	 * the roll-ups of its days are recomputed when a target changed. */
	"CREATE FUNCTION motcua.put_board(tz text, svcs jsonb) RETURNS void LANGUAGE plpgsql SECURITY DEFINER"
	"  SET search_path = motcua, pg_temp AS $$\n"
	"DECLARE o text := motcua.my_office();\n"
	"BEGIN\n"
	"  IF o IS NULL THEN RAISE EXCEPTION 'role % is no office', session_user; END IF;\n"
	"  UPDATE offices SET timezone = tz WHERE code = o AND timezone IS DISTINCT FROM tz;\n"
	"  DELETE FROM services WHERE office = o;\n"
	"  INSERT INTO services SELECT o, x->>'key', (x->>'position')::int, x->>'name', x->>'name_en',\n"
	"    (x->>'target_ms')::bigint FROM jsonb_array_elements(svcs) x;\n"
	"END $$;"
	/* Rights: an office role inserts its own rows and reads only its own;
	 * it can neither update nor delete; the report role reads. */
	"DO $$ BEGIN"
	"  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'motcua_office') THEN CREATE ROLE motcua_office NOLOGIN; END IF;"
	"  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'motcua_report') THEN CREATE ROLE motcua_report NOLOGIN; END IF;"
	" END $$;"
	"GRANT USAGE ON SCHEMA motcua TO motcua_office, motcua_report;"
	"GRANT SELECT, INSERT ON motcua.events, motcua.ticket_inbox TO motcua_office;"
	"GRANT SELECT ON motcua.tickets, motcua.daily, motcua.services TO motcua_office;"
	"GRANT SELECT ON ALL TABLES IN SCHEMA motcua TO motcua_report;"
	"REVOKE ALL ON FUNCTION motcua.fold(), motcua.put_board(text, jsonb), motcua.my_office() FROM PUBLIC;"
	"GRANT EXECUTE ON FUNCTION motcua.fold(), motcua.put_board(text, jsonb), motcua.my_office() TO motcua_office;"
	"ALTER TABLE motcua.events ENABLE ROW LEVEL SECURITY;"
	"ALTER TABLE motcua.ticket_inbox ENABLE ROW LEVEL SECURITY;"
	"ALTER TABLE motcua.tickets ENABLE ROW LEVEL SECURITY;"
	"ALTER TABLE motcua.daily ENABLE ROW LEVEL SECURITY;"
	"ALTER TABLE motcua.services ENABLE ROW LEVEL SECURITY;"
	"CREATE POLICY own_insert ON motcua.events FOR INSERT TO motcua_office WITH CHECK (office = motcua.my_office());"
	"CREATE POLICY own_read ON motcua.events FOR SELECT TO motcua_office USING (office = motcua.my_office());"
	"CREATE POLICY own_insert ON motcua.ticket_inbox FOR INSERT TO motcua_office WITH CHECK (office = motcua.my_office());"
	"CREATE POLICY own_read ON motcua.ticket_inbox FOR SELECT TO motcua_office USING (office = motcua.my_office());"
	"CREATE POLICY own_read ON motcua.tickets FOR SELECT TO motcua_office USING (office = motcua.my_office());"
	"CREATE POLICY own_read ON motcua.daily FOR SELECT TO motcua_office USING (office = motcua.my_office());"
	"CREATE POLICY own_read ON motcua.services FOR SELECT TO motcua_office USING (office = motcua.my_office());"
	"CREATE POLICY city_read ON motcua.events FOR SELECT TO motcua_report USING (true);"
	"CREATE POLICY city_read ON motcua.ticket_inbox FOR SELECT TO motcua_report USING (true);"
	"CREATE POLICY city_read ON motcua.tickets FOR SELECT TO motcua_report USING (true);"
	"CREATE POLICY city_read ON motcua.daily FOR SELECT TO motcua_report USING (true);"
	"CREATE POLICY city_read ON motcua.services FOR SELECT TO motcua_report USING (true);",

	/* 1 -> 2: satisfaction on each rating's own scale (scale.h). A rating
	 * event's detail holds the scale it was given on ("n=4;satisfied=2;
	 * vi=...;en=..."; "" for the first firmware's four levels, worst
	 * first). Each ticket keeps that text, its level (position best
	 * first, 0: none) and whether it is satisfied, computed here as the
	 * office's own report does; roll-ups count levels 1..5, ratings and
	 * satisfied ratings; the board's scale labels the levels. Existing
	 * tickets and roll-ups are recomputed from the events. */
	/* Levels of a stored scale text: 4 for "" (legacy), 0 when the text
	 * is not a scale (such a rating is not counted). */
	"CREATE FUNCTION motcua.scale_levels(scale text) RETURNS int LANGUAGE sql IMMUTABLE AS $$"
	"  SELECT CASE WHEN coalesce(scale, '') = '' THEN 4"
	"    WHEN n BETWEEN 3 AND 5 AND s BETWEEN 1 AND n - 1"
	"     AND cardinality(string_to_array(vi, ',')) = n AND cardinality(string_to_array(en, ',')) = n"
	"     AND NOT EXISTS (SELECT FROM unnest(string_to_array(vi || ',' || en, ',')) l WHERE octet_length(l) >= 48)"
	"    THEN n ELSE 0 END"
	"  FROM (SELECT (regexp_match(scale, '(^|;)n=([0-9]{1,3})(;|$)'))[2]::int AS n,"
	"    (regexp_match(scale, '(^|;)satisfied=([0-9]{1,3})(;|$)'))[2]::int AS s,"
	"    (regexp_match(scale, '(^|;)vi=([^;]*)'))[2] AS vi,"
	"    (regexp_match(scale, '(^|;)en=([^;]*)'))[2] AS en) x $$;"
	/* How many top levels of a stored scale count as satisfied. */
	"CREATE FUNCTION motcua.scale_satisfied(scale text) RETURNS int LANGUAGE sql IMMUTABLE AS $$"
	"  SELECT CASE WHEN coalesce(scale, '') = '' THEN 2 WHEN motcua.scale_levels(scale) = 0 THEN 0"
	"    ELSE (regexp_match(scale, '(^|;)satisfied=([0-9]{1,3})(;|$)'))[2]::int END $$;"
	/* A stored rating as a position best first on its scale (0: none):
	 * a legacy rating (worst first) is turned round. */
	"CREATE FUNCTION motcua.rating_level(rating int, scale text) RETURNS int LANGUAGE sql IMMUTABLE AS $$"
	"  SELECT CASE WHEN rating IS NULL OR rating < 1 THEN 0"
	"    WHEN coalesce(scale, '') = '' THEN CASE WHEN rating <= 4 THEN 5 - rating ELSE 0 END"
	"    WHEN rating <= motcua.scale_levels(scale) THEN rating ELSE 0 END $$;"
	/* The rating events of a ticket, for tickets shipped without their
	 * scale (an uplink older than this schema) and for the backfill. */
	"CREATE INDEX events_rate ON motcua.events (office, store_id, ticket, event_id) WHERE kind = 'rate';"
	"ALTER TABLE motcua.ticket_inbox ADD COLUMN scale text;"        /* NULL: not shipped */
	"ALTER TABLE motcua.tickets ADD COLUMN scale text,"              /* the rating's scale ('' legacy) */
	"  ADD COLUMN level int NOT NULL DEFAULT 0,"                     /* position best first, 0: unrated */
	"  ADD COLUMN satisfied boolean NOT NULL DEFAULT false;"
	"ALTER TABLE motcua.offices ADD COLUMN scale text NOT NULL DEFAULT '';" /* the board's scale ('' unknown) */
	"ALTER TABLE motcua.daily DROP COLUMN r1, DROP COLUMN r2, DROP COLUMN r3, DROP COLUMN r4,"
	"  ADD COLUMN l1 int NOT NULL DEFAULT 0, ADD COLUMN l2 int NOT NULL DEFAULT 0,"
	"  ADD COLUMN l3 int NOT NULL DEFAULT 0, ADD COLUMN l4 int NOT NULL DEFAULT 0,"
	"  ADD COLUMN l5 int NOT NULL DEFAULT 0,"
	"  ADD COLUMN rated int NOT NULL DEFAULT 0, ADD COLUMN satisfied int NOT NULL DEFAULT 0;"
	/* Recomputes office o's roll-ups of the "day|service" keys (NULL:
	 * all of them) from its tickets. */
	"CREATE FUNCTION motcua.refresh_daily(o text, keys text[]) RETURNS void LANGUAGE plpgsql"
	"  SET search_path = motcua, pg_temp AS $$\n"
	"BEGIN\n"
	"  DELETE FROM daily d WHERE d.office = o AND (keys IS NULL OR d.day::text || '|' || d.service = ANY(keys));\n"
	"  INSERT INTO daily (office, day, service, tickets, served, noshow, voided, expired, in_doubt,\n"
	"    waits, wait_sum_ms, with_target, over_target, wait_values, l1, l2, l3, l4, l5, rated, satisfied)\n"
	"  SELECT t.office, t.day, t.service, count(*),\n"
	"    count(*) FILTER (WHERE status = 'finished'), count(*) FILTER (WHERE status = 'noshow'),\n"
	"    count(*) FILTER (WHERE status = 'voided'), count(*) FILTER (WHERE status = 'expired'),\n"
	"    count(*) FILTER (WHERE print = 'in_doubt'),\n"
	"    count(*) FILTER (WHERE wait_ms >= 0), coalesce(sum(wait_ms) FILTER (WHERE wait_ms >= 0), 0),\n"
	"    count(*) FILTER (WHERE wait_ms >= 0 AND s.target_ms > 0),\n"
	"    count(*) FILTER (WHERE wait_ms >= 0 AND s.target_ms > 0 AND wait_ms > s.target_ms),\n"
	"    coalesce(array_agg(wait_ms ORDER BY wait_ms) FILTER (WHERE wait_ms >= 0), '{}'),\n"
	"    count(*) FILTER (WHERE t.level = 1), count(*) FILTER (WHERE t.level = 2),\n"
	"    count(*) FILTER (WHERE t.level = 3), count(*) FILTER (WHERE t.level = 4),\n"
	"    count(*) FILTER (WHERE t.level = 5), count(*) FILTER (WHERE t.level > 0),\n"
	"    count(*) FILTER (WHERE t.satisfied)\n"
	"  FROM tickets t LEFT JOIN services s ON s.office = t.office AND s.service = t.service\n"
	"  WHERE t.office = o AND (keys IS NULL OR (t.day::text || '|' || t.service = ANY(keys)\n"
	"    AND t.day = ANY(SELECT split_part(k, '|', 1)::date FROM unnest(keys) k)))\n"
	"  GROUP BY t.office, t.day, t.service;\n"
	"END $$;"
	/* The fold, now with each rating's scale: shipped with the ticket,
	 * or (older uplinks) its newest rating event in the city. */
	"CREATE OR REPLACE FUNCTION motcua.fold() RETURNS int LANGUAGE plpgsql SECURITY DEFINER"
	"  SET search_path = motcua, pg_temp AS $$\n"
	"DECLARE o text := motcua.my_office(); keys text[]; n int;\n"
	"BEGIN\n"
	"  IF o IS NULL THEN RAISE EXCEPTION 'role % is no office', session_user; END IF;\n"
	"  WITH src AS (DELETE FROM ticket_inbox WHERE office = o RETURNING *),\n"
	"  latest AS (SELECT DISTINCT ON (store_id, ticket) * FROM src ORDER BY store_id, ticket, version DESC),\n"
	"  sc AS (SELECT l.*, CASE WHEN l.rating > 0 THEN coalesce(l.scale, (SELECT e.detail FROM events e\n"
	"      WHERE e.office = o AND e.store_id = l.store_id AND e.ticket = l.ticket AND e.kind = 'rate'\n"
	"      ORDER BY e.event_id DESC LIMIT 1), '') END AS sct FROM latest l),\n"
	"  up AS (INSERT INTO tickets (office, store_id, ticket, version, service, cur_service, day, label,\n"
	"      priority, status, print, counter, clerk, rating, transfers, issued_ms, called_ms, finished_ms,\n"
	"      wait_ms, service_ms, scale, level, satisfied)\n"
	"    SELECT office, store_id, ticket, version, service, cur_service, day, label, priority, status, print,\n"
	"      counter, clerk, rating, transfers, issued_ms, called_ms, finished_ms, wait_ms, service_ms, sct,\n"
	"      rating_level(rating, sct), rating_level(rating, sct) BETWEEN 1 AND scale_satisfied(sct) FROM sc\n"
	"    ON CONFLICT (office, store_id, ticket) DO UPDATE SET\n"
	"    version = excluded.version, cur_service = excluded.cur_service, status = excluded.status,\n"
	"    print = excluded.print, counter = excluded.counter, clerk = excluded.clerk,\n"
	"    rating = excluded.rating, transfers = excluded.transfers, called_ms = excluded.called_ms,\n"
	"    finished_ms = excluded.finished_ms, wait_ms = excluded.wait_ms, service_ms = excluded.service_ms,\n"
	"    scale = excluded.scale, level = excluded.level, satisfied = excluded.satisfied\n"
	"    WHERE tickets.version <= excluded.version RETURNING day, service)\n"
	"  SELECT array_agg(DISTINCT day::text || '|' || service), count(*) INTO keys, n FROM up;\n"
	"  IF keys IS NULL THEN RETURN 0; END IF;\n"
	"  PERFORM refresh_daily(o, keys);\n"
	"  RETURN n;\n"
	"END $$;"
	/* Board facts as one JSON object: time zone, services and the scale
	 * text (mc_scale_format). */
	"CREATE FUNCTION motcua.put_board(board jsonb) RETURNS void LANGUAGE plpgsql SECURITY DEFINER"
	"  SET search_path = motcua, pg_temp AS $$\n"
	"BEGIN\n"
	"  PERFORM put_board(board->>'timezone', board->'services');\n"
	"  UPDATE offices SET scale = coalesce(board->>'scale', '')\n"
	"    WHERE code = my_office() AND scale IS DISTINCT FROM coalesce(board->>'scale', '');\n"
	"END $$;"
	"REVOKE ALL ON FUNCTION motcua.put_board(jsonb), motcua.refresh_daily(text, text[]) FROM PUBLIC;"
	"GRANT EXECUTE ON FUNCTION motcua.put_board(jsonb) TO motcua_office;"
	"GRANT SELECT ON ALL TABLES IN SCHEMA motcua TO motcua_report;"
	/* Existing tickets: their scale from their newest rating event. */
	"UPDATE motcua.tickets t SET scale = r.detail FROM (SELECT DISTINCT ON (office, store_id, ticket)"
	"  office, store_id, ticket, detail FROM motcua.events WHERE kind = 'rate'"
	"  ORDER BY office, store_id, ticket, event_id DESC) r"
	"  WHERE t.rating > 0 AND r.office = t.office AND r.store_id = t.store_id AND r.ticket = t.ticket;"
	"UPDATE motcua.tickets SET scale = coalesce(scale, ''), level = motcua.rating_level(rating, coalesce(scale, '')),"
	"  satisfied = motcua.rating_level(rating, coalesce(scale, '')) BETWEEN 1"
	"    AND motcua.scale_satisfied(coalesce(scale, ''))"
	"  WHERE rating > 0;"
	"SELECT motcua.refresh_daily(office, NULL) FROM (SELECT DISTINCT office FROM motcua.tickets) x;",

	/* 2 -> 3: restored stores. A store restored from a backup ships under
	 * a new store id, and first records "store_id was restored from
	 * from_store, sharing its events up to at_event and its tickets up to
	 * max_ticket". A ticket the restored store carries over (id up to
	 * max_ticket) is the same ticket as in from_store (recursively): its
	 * rows fold onto that home row, and the newer life (generation) wins
	 * over the lost one whatever the version numbers. Tickets the lost
	 * life issued after the backup stay counted under from_store: they
	 * were issued, and a restore does not rewrite the city's history. */
	"CREATE TABLE motcua.restores ("
	"  office text NOT NULL, store_id text NOT NULL, from_store text NOT NULL,"
	"  at_event bigint NOT NULL, max_ticket bigint NOT NULL,"
	"  recorded_at timestamptz NOT NULL DEFAULT now(),"
	"  PRIMARY KEY (office, store_id));"
	"ALTER TABLE motcua.tickets ADD COLUMN gen int NOT NULL DEFAULT 0;" /* life of the store that wrote the row */
	"ALTER TABLE motcua.restores ENABLE ROW LEVEL SECURITY;"
	"CREATE POLICY own_read ON motcua.restores FOR SELECT TO motcua_office USING (office = motcua.my_office());"
	"CREATE POLICY city_read ON motcua.restores FOR SELECT TO motcua_report USING (true);"
	"GRANT SELECT ON motcua.restores TO motcua_office, motcua_report;"
	/* Where ticket t shipped by store lives (its home store) and the
	 * generation of store (0: a first life). */
	"CREATE FUNCTION motcua.home_store(o text, store text, t bigint, OUT home text, OUT gen int)"
	"  LANGUAGE plpgsql STABLE SET search_path = motcua, pg_temp AS $$\n"
	"DECLARE cur text := store; f text; m bigint; moving boolean := true;\n"
	"BEGIN\n"
	"  home := store; gen := 0;\n"
	"  LOOP\n"
	"    SELECT r.from_store, r.max_ticket INTO f, m FROM restores r WHERE r.office = o AND r.store_id = cur;\n"
	"    EXIT WHEN NOT FOUND OR gen > 1000;\n"
	"    gen := gen + 1;\n"
	"    IF moving AND t <= m THEN home := f; ELSE moving := false; END IF;\n"
	"    cur := f;\n"
	"  END LOOP;\n"
	"END $$;"
	/* Records the calling office's restore fact (idempotent). Tickets
	 * the restored store shipped before the city knew the fact (a city
	 * migrated after the restore) move onto their home rows. */
	"CREATE FUNCTION motcua.put_restore(store text, from_store text, at_event bigint, max_ticket bigint)"
	"  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = motcua, pg_temp AS $$\n"
	"DECLARE o text := motcua.my_office(); keys text[];\n"
	"BEGIN\n"
	"  IF o IS NULL THEN RAISE EXCEPTION 'role % is no office', session_user; END IF;\n"
	"  IF store = from_store THEN RAISE EXCEPTION 'a store is not restored from itself'; END IF;\n"
	"  INSERT INTO restores (office, store_id, from_store, at_event, max_ticket)\n"
	"    VALUES (o, store, from_store, at_event, max_ticket) ON CONFLICT DO NOTHING;\n"
	"  IF NOT FOUND THEN RETURN; END IF;\n"
	"  WITH moved AS (DELETE FROM tickets t WHERE t.office = o AND t.store_id = store\n"
	"      AND t.ticket <= put_restore.max_ticket RETURNING t.*),\n"
	"  homed AS (SELECT m.*, h.home, h.gen AS g FROM moved m, LATERAL home_store(o, store, m.ticket) h),\n"
	"  up AS (INSERT INTO tickets (office, store_id, ticket, version, service, cur_service, day, label,\n"
	"      priority, status, print, counter, clerk, rating, transfers, issued_ms, called_ms, finished_ms,\n"
	"      wait_ms, service_ms, scale, level, satisfied, gen)\n"
	"    SELECT office, home, ticket, version, service, cur_service, day, label, priority, status, print,\n"
	"      counter, clerk, rating, transfers, issued_ms, called_ms, finished_ms, wait_ms, service_ms, scale,\n"
	"      level, satisfied, g FROM homed\n"
	"    ON CONFLICT (office, store_id, ticket) DO UPDATE SET\n"
	"    version = excluded.version, cur_service = excluded.cur_service, status = excluded.status,\n"
	"    print = excluded.print, counter = excluded.counter, clerk = excluded.clerk,\n"
	"    rating = excluded.rating, transfers = excluded.transfers, called_ms = excluded.called_ms,\n"
	"    finished_ms = excluded.finished_ms, wait_ms = excluded.wait_ms, service_ms = excluded.service_ms,\n"
	"    scale = excluded.scale, level = excluded.level, satisfied = excluded.satisfied, gen = excluded.gen\n"
	"    WHERE (tickets.gen, tickets.version) <= (excluded.gen, excluded.version) RETURNING 1)\n"
	"  SELECT array_agg(DISTINCT day::text || '|' || service) INTO keys FROM homed;\n"
	"  IF keys IS NOT NULL THEN PERFORM refresh_daily(o, keys); END IF;\n"
	"END $$;"
	"REVOKE ALL ON FUNCTION motcua.put_restore(text, text, bigint, bigint) FROM PUBLIC;"
	"GRANT EXECUTE ON FUNCTION motcua.put_restore(text, text, bigint, bigint) TO motcua_office;"
	/* The fold, now onto each ticket's home store. */
	"CREATE OR REPLACE FUNCTION motcua.fold() RETURNS int LANGUAGE plpgsql SECURITY DEFINER"
	"  SET search_path = motcua, pg_temp AS $$\n"
	"DECLARE o text := motcua.my_office(); keys text[]; n int;\n"
	"  restored boolean := EXISTS (SELECT FROM motcua.restores WHERE office = motcua.my_office());\n"
	"BEGIN\n"
	"  IF o IS NULL THEN RAISE EXCEPTION 'role % is no office', session_user; END IF;\n"
	"  WITH src AS (DELETE FROM ticket_inbox WHERE office = o RETURNING *),\n"
	"  homed AS (SELECT s.*, CASE WHEN restored THEN (home_store(o, s.store_id, s.ticket)).home ELSE s.store_id END AS home,\n"
	"      CASE WHEN restored THEN (home_store(o, s.store_id, s.ticket)).gen ELSE 0 END AS gen FROM src s),\n"
	"  latest AS (SELECT DISTINCT ON (home, ticket) * FROM homed ORDER BY home, ticket, gen DESC, version DESC),\n"
	"  sc AS (SELECT l.*, CASE WHEN l.rating > 0 THEN coalesce(l.scale, (SELECT e.detail FROM events e\n"
	"      WHERE e.office = o AND e.store_id = l.store_id AND e.ticket = l.ticket AND e.kind = 'rate'\n"
	"      ORDER BY e.event_id DESC LIMIT 1), '') END AS sct FROM latest l),\n"
	"  up AS (INSERT INTO tickets (office, store_id, ticket, version, service, cur_service, day, label,\n"
	"      priority, status, print, counter, clerk, rating, transfers, issued_ms, called_ms, finished_ms,\n"
	"      wait_ms, service_ms, scale, level, satisfied, gen)\n"
	"    SELECT office, home, ticket, version, service, cur_service, day, label, priority, status, print,\n"
	"      counter, clerk, rating, transfers, issued_ms, called_ms, finished_ms, wait_ms, service_ms, sct,\n"
	"      rating_level(rating, sct), rating_level(rating, sct) BETWEEN 1 AND scale_satisfied(sct), gen FROM sc\n"
	"    ON CONFLICT (office, store_id, ticket) DO UPDATE SET\n"
	"    version = excluded.version, cur_service = excluded.cur_service, status = excluded.status,\n"
	"    print = excluded.print, counter = excluded.counter, clerk = excluded.clerk,\n"
	"    rating = excluded.rating, transfers = excluded.transfers, called_ms = excluded.called_ms,\n"
	"    finished_ms = excluded.finished_ms, wait_ms = excluded.wait_ms, service_ms = excluded.service_ms,\n"
	"    scale = excluded.scale, level = excluded.level, satisfied = excluded.satisfied, gen = excluded.gen\n"
	"    WHERE (tickets.gen, tickets.version) <= (excluded.gen, excluded.version) RETURNING day, service)\n"
	"  SELECT array_agg(DISTINCT day::text || '|' || service), count(*) INTO keys, n FROM up;\n"
	"  IF keys IS NULL THEN RETURN 0; END IF;\n"
	"  PERFORM refresh_daily(o, keys);\n"
	"  RETURN n;\n"
	"END $$;",
};

const int mc_central_nmigrations = (int)(sizeof(mc_central_migrations) / sizeof(mc_central_migrations[0]));
