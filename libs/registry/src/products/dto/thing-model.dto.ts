import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { THING_NAME_PATTERN, THING_NAME_RULE } from '@iot/contracts';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsNumber, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';

export const DATA_TYPES = ['int', 'long', 'decimal', 'string', 'boolean', 'datetime', 'json', 'enum'] as const;
export type DataType = (typeof DATA_TYPES)[number];
export const PROPERTY_ACCESS = ['R', 'W', 'RW'] as const;

const NAME = THING_NAME_PATTERN;
const NAME_MESSAGE = THING_NAME_RULE;

/** A typed value: a property, a command's parameter or response field, an event's parameter. */
export class ValueDefDto {
  @ApiProperty({ example: 'temperature' })
  @Matches(NAME, { message: `name ${NAME_MESSAGE}` })
  name: string;

  @ApiProperty({ enum: DATA_TYPES, example: 'decimal' })
  @IsIn(DATA_TYPES)
  type: DataType;

  @ApiPropertyOptional({ example: 'Water temperature at the outlet' })
  @IsOptional()
  @IsString()
  @Length(0, 500)
  description?: string;

  @ApiPropertyOptional({ example: '°C' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  unit?: string;

  @ApiPropertyOptional({ example: -40, description: 'int, long, decimal: the smallest value' })
  @IsOptional()
  @IsNumber()
  min?: number;

  @ApiPropertyOptional({ example: 125, description: 'int, long, decimal: the largest value' })
  @IsOptional()
  @IsNumber()
  max?: number;

  @ApiPropertyOptional({ example: 64, description: 'string: the longest value' })
  @IsOptional()
  @IsNumber()
  @Min(1)
  @Max(1_048_576)
  maxLength?: number;

  @ApiPropertyOptional({ example: ['low', 'medium', 'high'], description: 'enum: the allowed values (required for enum)' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(256)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  enumValues?: string[];

  @ApiPropertyOptional({ example: true, default: false })
  @IsOptional()
  @IsBoolean()
  required?: boolean;
}

/** An optional list of typed values (parameters, response fields), each validated. */
const ValueDefs = () =>
  applyDecorators(ApiPropertyOptional({ type: [ValueDefDto] }), IsOptional(), IsArray(), ArrayMaxSize(256), ValidateNested({ each: true }), Type(() => ValueDefDto));

export class PropertyDefDto extends ValueDefDto {
  @ApiProperty({ enum: PROPERTY_ACCESS, example: 'RW', description: 'R: reported and read; W: written; RW: both' })
  @IsIn(PROPERTY_ACCESS)
  access: (typeof PROPERTY_ACCESS)[number];
}

export class CommandResponseDefDto {
  @ApiProperty({ example: 'result' })
  @Matches(NAME, { message: `name ${NAME_MESSAGE}` })
  name: string;

  @ValueDefs()
  parameters?: ValueDefDto[];
}

export class CommandDefDto {
  @ApiProperty({ example: 'set_speed' })
  @Matches(NAME, { message: `name ${NAME_MESSAGE}` })
  name: string;

  @ValueDefs()
  parameters?: ValueDefDto[];

  @ApiPropertyOptional({ type: [CommandResponseDefDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @ValidateNested({ each: true })
  @Type(() => CommandResponseDefDto)
  responses?: CommandResponseDefDto[];
}

export class EventDefDto {
  @ApiProperty({ example: 'overheat' })
  @Matches(NAME, { message: `name ${NAME_MESSAGE}` })
  name: string;

  @ValueDefs()
  parameters?: ValueDefDto[];
}

export class ServiceDefDto {
  @ApiProperty({ example: 'pump' })
  @Matches(NAME, { message: `serviceId ${NAME_MESSAGE}` })
  serviceId: string;

  @ApiPropertyOptional({ example: 'The pump itself' })
  @IsOptional()
  @IsString()
  @Length(0, 500)
  description?: string;

  @ApiPropertyOptional({ type: [PropertyDefDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(512)
  @ValidateNested({ each: true })
  @Type(() => PropertyDefDto)
  properties?: PropertyDefDto[];

  @ApiPropertyOptional({ type: [CommandDefDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @ValidateNested({ each: true })
  @Type(() => CommandDefDto)
  commands?: CommandDefDto[];

  @ApiPropertyOptional({ type: [EventDefDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @ValidateNested({ each: true })
  @Type(() => EventDefDto)
  events?: EventDefDto[];
}

/** What a product's devices report, accept and raise, by service (IoTDA's thing model). */
export class ThingModelDto {
  @ApiProperty({ type: [ServiceDefDto] })
  @IsArray()
  @ArrayMaxSize(128)
  @ValidateNested({ each: true })
  @Type(() => ServiceDefDto)
  services: ServiceDefDto[];
}

/** Rules a DTO cannot state field by field: unique names, enum values, ranges. Problems by field path. */
export function thingModelProblems(model: ThingModelDto): { field: string; problems: string[] }[] {
  const problems: { field: string; problems: string[] }[] = [];
  const unique = (path: string, names: string[]) => {
    const seen = new Set<string>();
    names.forEach((name, i) => {
      if (seen.has(name)) problems.push({ field: `${path}[${i}].name`, problems: [`${name} is defined twice`] });
      seen.add(name);
    });
  };
  const values = (path: string, defs: ValueDefDto[] = []) => {
    unique(path, defs.map((d) => d.name));
    defs.forEach((def, i) => {
      if (def.type === 'enum' && !def.enumValues?.length) problems.push({ field: `${path}[${i}].enumValues`, problems: ['an enum needs its values'] });
      if (def.min !== undefined && def.max !== undefined && def.min > def.max) problems.push({ field: `${path}[${i}].max`, problems: ['must not be less than min'] });
    });
  };
  const serviceIds = new Set<string>();
  model.services.forEach((service, s) => {
    const at = `model.services[${s}]`;
    if (serviceIds.has(service.serviceId)) problems.push({ field: `${at}.serviceId`, problems: [`${service.serviceId} is defined twice`] });
    serviceIds.add(service.serviceId);
    values(`${at}.properties`, service.properties);
    unique(`${at}.commands`, (service.commands ?? []).map((c) => c.name));
    (service.commands ?? []).forEach((command, c) => {
      values(`${at}.commands[${c}].parameters`, command.parameters);
      unique(`${at}.commands[${c}].responses`, (command.responses ?? []).map((r) => r.name));
      (command.responses ?? []).forEach((response, r) => values(`${at}.commands[${c}].responses[${r}].parameters`, response.parameters));
    });
    unique(`${at}.events`, (service.events ?? []).map((e) => e.name));
    (service.events ?? []).forEach((event, e) => values(`${at}.events[${e}].parameters`, event.parameters));
  });
  return problems;
}
