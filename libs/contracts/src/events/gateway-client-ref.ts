import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { PROJECT_ID_PATTERN } from '../keys';

/** Which MQTT client, on which gateway node: what every gateway record about a client starts with. */
export class GatewayClientRef {
  @Matches(PROJECT_ID_PATTERN)
  projectId: string;

  @IsString()
  @Length(1, 256)
  clientId: string;

  /** The registry's device id, when the client authenticated as a device. */
  @IsOptional()
  @IsString()
  @Length(1, 128)
  deviceId?: string;

  @IsString()
  @Length(1, 200)
  node: string;
}
