import { Module } from '@nestjs/common';

/** Name this service puts in the producer header of its events. */
export const COMMAND_SERVICE = 'command-service';

/**
 * The command service: publish API, synchronous commands, property set/get, device
 * messages and batch tasks (SPEC 4, items 8-11). Its features arrive with their issues;
 * the process already runs with its adapters, health, metrics and OpenAPI document.
 */
@Module({})
export class CommandServiceModule {}

/** Tables and migrations of the command service (none yet). */
export const commandEntities: never[] = [];
export const commandMigrations: never[] = [];
