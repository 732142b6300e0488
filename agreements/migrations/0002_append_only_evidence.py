"""The database itself keeps the record: a signed letter's text, hash and stored PDF never change,
and signatures and events are never updated or deleted (a bug or a stray UPDATE cannot rewrite
the evidence). Deleting a whole letter with its trail is left to the database owner."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION agreements_letter_fixed() RETURNS trigger AS $$
BEGIN
  IF OLD.state IN ('signed', 'countersigned') AND
     (NEW.text IS DISTINCT FROM OLD.text OR NEW.text_sha256 IS DISTINCT FROM OLD.text_sha256
      OR NEW.version_id IS DISTINCT FROM OLD.version_id) THEN
    RAISE EXCEPTION 'A signed letter''s text never changes (letter %)', OLD.id;
  END IF;
  IF OLD.pdf_sha256 <> '' AND (NEW.pdf_sha256 IS DISTINCT FROM OLD.pdf_sha256 OR NEW.pdf IS DISTINCT FROM OLD.pdf) THEN
    RAISE EXCEPTION 'A stored final PDF is never replaced (letter %)', OLD.id;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER agreements_letter_fixed BEFORE UPDATE ON agreements_letter
  FOR EACH ROW EXECUTE FUNCTION agreements_letter_fixed();

CREATE FUNCTION agreements_evidence_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
    RETURN OLD;  -- the letter itself is being deleted (cascade)
  END IF;
  RAISE EXCEPTION 'The evidence trail is append-only (% on %)', TG_OP, TG_TABLE_NAME;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER agreements_signature_append_only BEFORE UPDATE ON agreements_signature
  FOR EACH ROW EXECUTE FUNCTION agreements_evidence_append_only();
CREATE TRIGGER agreements_event_append_only BEFORE UPDATE OR DELETE ON agreements_letterevent
  FOR EACH ROW EXECUTE FUNCTION agreements_evidence_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS agreements_event_append_only ON agreements_letterevent;
DROP TRIGGER IF EXISTS agreements_signature_append_only ON agreements_signature;
DROP FUNCTION IF EXISTS agreements_evidence_append_only();
DROP TRIGGER IF EXISTS agreements_letter_fixed ON agreements_letter;
DROP FUNCTION IF EXISTS agreements_letter_fixed();
"""


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_letters")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
