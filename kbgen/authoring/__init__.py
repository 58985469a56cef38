"""Commands that write a writer's files, never over one: `kbgen new`, `kbgen translate`."""
