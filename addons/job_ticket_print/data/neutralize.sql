-- a copy of the database must not print on the real production printers:
-- every printer becomes a folder printer writing into the data directory
UPDATE production_printer
   SET kind = 'folder',
       folder_path = 'job_tickets_neutralized',
       host = NULL,
       cups_queue = NULL,
       cups_server = NULL;
