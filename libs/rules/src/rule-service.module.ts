import { Module } from '@nestjs/common';

/** Name this service puts in the producer header of its events. */
export const RULE_SERVICE = 'rule-service';

/**
 * The rule service: rules, actions and connectors, alarms, and the built-in presence and
 * history writers (SPEC 4.6). Its features arrive with their issues; the process already
 * runs with its adapters, health, metrics and OpenAPI document.
 */
@Module({})
export class RuleServiceModule {}

/** Tables and migrations of the rule service (none yet). */
export const ruleEntities: never[] = [];
export const ruleMigrations: never[] = [];
