import { ThingModel, thingValuesProblems } from '@iot/contracts';
import { CommandError } from '../commands/command.errors';

type FieldProblems = { field: string; problems: string[] }[];

/**
 * Each service must be the product's, each property one of its writable ones, each value
 * valid. Fields are named `<list>[i].service_id` and `<list>[i].<properties>.<name>`.
 */
export function writeProblems(model: ThingModel, services: { service_id: string; properties: Record<string, unknown> }[], names = { list: 'services', properties: 'properties' }): FieldProblems {
  const problems: FieldProblems = [];
  services.forEach((entry, i) => {
    const service = model.services.find((s) => s.serviceId === entry.service_id);
    if (!service) {
      problems.push({ field: `${names.list}[${i}].service_id`, problems: [`${entry.service_id} is not a service of the device's product`] });
      return;
    }
    const properties = service.properties ?? [];
    for (const name of Object.keys(entry.properties)) {
      const def = properties.find((p) => p.name === name);
      if (def && def.access === 'R') problems.push({ field: `${names.list}[${i}].${names.properties}.${name}`, problems: ['is read-only'] });
    }
    problems.push(...thingValuesProblems(`${names.list}[${i}].${names.properties}`, properties, entry.properties, { requireRequired: false }));
  });
  return problems;
}

/** @throws INVALID_COMMAND naming each field. */
export function requireValid(problems: FieldProblems): void {
  if (problems.length > 0) throw new CommandError('INVALID_COMMAND', problems.map((f) => `${f.field}: ${f.problems.join(', ')}`).join('; '), { fields: problems });
}
