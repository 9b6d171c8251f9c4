import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventPublisher, MessageBus } from '@iot/bus';
import { API_ACCESS_OPTIONS, ApiAccessOptions, ProjectKeyGuard } from '@iot/runtime';
import { CommandsController } from './commands/commands.controller';
import { CommandsService } from './commands/commands.service';
import { DeviceReplyRouter } from './commands/device-reply-router';
import { DeviceRequestEntity } from './commands/device-request.entity';
import { DeviceRequestsService } from './commands/device-requests.service';
import { ReplyWaiters } from './commands/reply-waiters';
import { DeviceDirectory, RegistryTablesDirectory } from './devices/device-directory';
import { DeviceMessagesConsumer } from './device-messages.consumer';
import { DeviceRequests1767400000000 } from './migrations/1767400000000-device-requests';
import { DeviceShadows1767500000000 } from './migrations/1767500000000-device-shadows';
import { ShadowController } from './shadow/shadow.controller';
import { ShadowPushConsumer } from './shadow/shadow-push.consumer';
import { ShadowService } from './shadow/shadow.service';
import { PropertiesController } from './properties/properties.controller';
import { PropertiesService } from './properties/properties.service';
import { PublishController } from './publish/publish.controller';
import { COMMAND_EVENTS, PublishService } from './publish/publish.service';

/** Name this service puts in the producer header of its events. */
export const COMMAND_SERVICE = 'command-service';

/** Tables and migrations of the command service. */
export const commandEntities = [DeviceRequestEntity];
export const commandMigrations = [DeviceRequests1767400000000, DeviceShadows1767500000000];

/**
 * The command service: publish API, synchronous commands, property set/get, device
 * messages and batch tasks (SPEC 4, items 8-11). Publishing and commands are here; the rest
 * arrives with its issues.
 */
@Module({})
export class CommandServiceModule {
  static forRoot(options: ApiAccessOptions): DynamicModule {
    return {
      module: CommandServiceModule,
      imports: [TypeOrmModule.forFeature(commandEntities)],
      controllers: [PublishController, CommandsController, PropertiesController, ShadowController],
      providers: [
        { provide: API_ACCESS_OPTIONS, useValue: options },
        { provide: COMMAND_EVENTS, inject: [MessageBus], useFactory: (bus: MessageBus) => new EventPublisher(bus, COMMAND_SERVICE) },
        ProjectKeyGuard,
        PublishService,
        { provide: DeviceDirectory, useClass: RegistryTablesDirectory },
        ReplyWaiters,
        DeviceReplyRouter,
        DeviceRequestsService,
        CommandsService,
        PropertiesService,
        ShadowService,
        DeviceMessagesConsumer,
        ShadowPushConsumer,
      ],
    };
  }
}
