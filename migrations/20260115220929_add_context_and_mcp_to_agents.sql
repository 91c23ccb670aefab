-- pgstate revision: 20260115220929
-- parents: 9ce227b568e8
-- message: add context and mcp to agents
-- created: 2026-01-15T22:09:29Z

-- +up
ALTER TABLE public.agents ADD COLUMN context_items jsonb;
ALTER TABLE public.agents ADD COLUMN mcp_servers jsonb;

-- +down
-- hazard: data loss: dropping column public.agents.context_items deletes its values
ALTER TABLE public.agents DROP COLUMN context_items;
-- hazard: data loss: dropping column public.agents.mcp_servers deletes its values
ALTER TABLE public.agents DROP COLUMN mcp_servers;
