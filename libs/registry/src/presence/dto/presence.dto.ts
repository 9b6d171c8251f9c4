import { PageOf } from '@iot/runtime';
import { ApiProperty } from '@nestjs/swagger';

export class DeviceStatusDto {
  @ApiProperty({ example: true })
  online: boolean;

  @ApiProperty({ example: 'gateway-7f9c', nullable: true, type: String, description: 'The gateway node holding (or that last held) its connection' })
  node: string | null;

  @ApiProperty({ example: 'pump-0042-client', nullable: true, type: String })
  clientId: string | null;

  @ApiProperty({ example: '2026-11-23T10:00:00.000Z', nullable: true, type: String })
  connectedAt: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  disconnectedAt: string | null;

  @ApiProperty({ example: '10.0.3.17:53122', nullable: true, type: String })
  peerAddress: string | null;

  @ApiProperty({ example: 5, nullable: true, type: Number, enum: [3, 4, 5] })
  protocolVersion: number | null;
}

export class ConnectionEventDto {
  @ApiProperty({ enum: ['connected', 'disconnected'], example: 'disconnected' })
  event: 'connected' | 'disconnected';

  @ApiProperty({ example: '2026-11-23T10:00:00.000Z' })
  occurredAt: string;

  @ApiProperty({ example: 'pump-0042-client' })
  clientId: string;

  @ApiProperty({ example: 'gateway-7f9c' })
  node: string;

  @ApiProperty({ example: 'keepalive timeout', nullable: true, type: String, description: 'disconnected: why' })
  reason: string | null;

  @ApiProperty({ example: '10.0.3.17:53122', nullable: true, type: String })
  peerAddress: string | null;

  @ApiProperty({ example: 5, nullable: true, type: Number })
  protocolVersion: number | null;
}

export class ConnectionHistoryPageDto extends PageOf(ConnectionEventDto, 'Newest first') {}
