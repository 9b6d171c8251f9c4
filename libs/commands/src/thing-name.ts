import { Matches } from 'class-validator';
import { THING_NAME_PATTERN, THING_NAME_RULE } from '@iot/contracts';

/** A thing-model name (service, command), reported as `<field> must be …` when it is not one. */
export const ThingName = (field: string) => Matches(THING_NAME_PATTERN, { message: `${field} ${THING_NAME_RULE}` });
