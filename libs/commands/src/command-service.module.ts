import { DynamicModule, Module } from '@nestjs/common';
import { EventPublisher, MessageBus } from '@iot/bus';
import { API_ACCESS_OPTIONS, ApiAccessOptions, ProjectKeyGuard } from '@iot/runtime';
import { PublishController } from './publish/publish.controller';
import { COMMAND_EVENTS, PublishService } from './publish/publish.service';

/** Name this service puts in the producer header of its events. */
export const COMMAND_SERVICE = 'command-service';

/**
 * The command service: publish API, synchronous commands, property set/get, device
 * messages and batch tasks (SPEC 4, items 8-11). Publishing is here; the rest arrives with
 * its issues.
 */
@Module({})
export class CommandServiceModule {
  static forRoot(options: ApiAccessOptions): DynamicModule {
    return {
      module: CommandServiceModule,
      controllers: [PublishController],
      providers: [
        { provide: API_ACCESS_OPTIONS, useValue: options },
        { provide: COMMAND_EVENTS, inject: [MessageBus], useFactory: (bus: MessageBus) => new EventPublisher(bus, COMMAND_SERVICE) },
        ProjectKeyGuard,
        PublishService,
      ],
    };
  }
}

/** Tables and migrations of the command service (none yet). */
export const commandEntities: never[] = [];
export const commandMigrations: never[] = [];
