"""Liangbiping in a hall's other systems: prompts from business systems, events out through webhooks
(a transactional outbox delivered by the scheduler), the national 好差评 format, work orders in."""
