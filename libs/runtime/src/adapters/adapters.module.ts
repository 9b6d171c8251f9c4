import { DynamicModule, Global, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { InProcessBus, KafkaBus, MessageBus } from '@iot/bus';
import { dataSourceOptions } from '@iot/database';
import { MemoryStateStore, RedisStateStore, StateStore } from '@iot/state-store';
import { RuntimeConfig } from '../runtime-config';

/** Closes the bus and the state store after Nest has stopped everything that uses them. */
@Injectable()
class AdapterLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly bus: MessageBus,
    private readonly state: StateStore,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.bus.close(), this.state.close()]);
  }
}

/**
 * The one place where a process chooses its adapters: Kafka or the in-process bus, Redis or
 * memory, PostgreSQL or PGlite. Everything else injects the ports (MessageBus, StateStore,
 * TypeORM repositories) and cannot tell which it got.
 */
@Global()
@Module({})
export class AdaptersModule {
  static forRoot(config: RuntimeConfig, logger: Logger): DynamicModule {
    const database = config.database;
    return {
      module: AdaptersModule,
      imports: database
        ? [
            TypeOrmModule.forRootAsync({
              useFactory: () => ({
                ...dataSourceOptions(database.url, database.entities, database.migrations),
                migrationsRun: database.migrate,
                // A few quick retries ride out a database that is still starting; beyond that the
                // process exits and its supervisor restarts it.
                retryAttempts: 3,
                retryDelay: 2_000,
              }),
            }),
          ]
        : [],
      providers: [
        {
          provide: MessageBus,
          useFactory: async (): Promise<MessageBus> => {
            const bus = config.bus;
            if (bus.driver === 'in-process') return new InProcessBus(logger.child({ component: 'bus' }));
            const kafka = new KafkaBus({ brokers: bus.brokers, clientId: `${bus.clientId}-${config.service}-${config.nodeId}` }, logger.child({ component: 'kafka' }));
            await kafka.connect();
            return kafka;
          },
        },
        {
          provide: StateStore,
          useFactory: async (): Promise<StateStore> => {
            const state = config.state;
            if (state.driver === 'memory') return new MemoryStateStore();
            const redis = new RedisStateStore({ url: state.url, keyPrefix: state.keyPrefix });
            await redis.connect();
            return redis;
          },
        },
        AdapterLifecycle,
      ],
      exports: [MessageBus, StateStore, ...(database ? [TypeOrmModule] : [])],
    };
  }
}

