import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventPublisher, MessageBus } from '@iot/bus';
import { API_ACCESS_OPTIONS, ProjectKeyGuard } from '@iot/runtime';
import { CommandsController } from './commands/commands.controller';
import { CommandsService } from './commands/commands.service';
import { DeviceReplyRouter } from './commands/device-reply-router';
import { DeviceRequestEntity } from './commands/device-request.entity';
import { DeviceRequestsService } from './commands/device-requests.service';
import { ReplyWaiters } from './commands/reply-waiters';
import { DeviceDirectory, RegistryTablesDirectory } from './devices/device-directory';
import { BatchTaskRunner } from './batch-tasks/batch-task-runner';
import { BatchTasksController } from './batch-tasks/batch-tasks.controller';
import { BatchTasksService } from './batch-tasks/batch-tasks.service';
import { ClientEventsConsumer } from './client-events.consumer';
import { BatchTasks1767700000000 } from './migrations/1767700000000-batch-tasks';
import { COMMAND_SERVICE_OPTIONS, CommandServiceOptions } from './command-service.options';
import { DeviceMessagesConsumer } from './device-messages.consumer';
import { MessageSweeper } from './messages/message-sweeper';
import { MessagesController } from './messages/messages.controller';
import { MessagesService } from './messages/messages.service';
import { DeviceMessages1767600000000 } from './migrations/1767600000000-device-messages';
import { DeviceRequests1767400000000 } from './migrations/1767400000000-device-requests';
import { DeviceShadows1767500000000 } from './migrations/1767500000000-device-shadows';
import { ShadowController } from './shadow/shadow.controller';
import { ShadowService } from './shadow/shadow.service';
import { PropertiesController } from './properties/properties.controller';
import { PropertiesService } from './properties/properties.service';
import { PublishController } from './publish/publish.controller';
import { COMMAND_EVENTS, PublishService } from './publish/publish.service';

/** Name this service puts in the producer header of its events. */
export const COMMAND_SERVICE = 'command-service';

/** Tables and migrations of the command service. */
export const commandEntities = [DeviceRequestEntity];
export const commandMigrations = [DeviceRequests1767400000000, DeviceShadows1767500000000, DeviceMessages1767600000000, BatchTasks1767700000000];

/**
 * The command service (SPEC 4, items 8-11): publish API, synchronous commands, property
 * set/get, the device shadow, device messages and batch tasks.
 */
@Module({})
export class CommandServiceModule {
  static forRoot(options: CommandServiceOptions): DynamicModule {
    return {
      module: CommandServiceModule,
      imports: [TypeOrmModule.forFeature(commandEntities)],
      controllers: [PublishController, CommandsController, PropertiesController, ShadowController, MessagesController, BatchTasksController],
      providers: [
        { provide: API_ACCESS_OPTIONS, useValue: { operatorKey: options.operatorKey } },
        { provide: COMMAND_SERVICE_OPTIONS, useValue: options },
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
        MessagesService,
        MessageSweeper,
        ClientEventsConsumer,
        BatchTasksService,
        BatchTaskRunner,
      ],
    };
  }
}
