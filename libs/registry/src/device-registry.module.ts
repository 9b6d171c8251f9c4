import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventPublisher, MessageBus } from '@iot/bus';
import { API_ACCESS_OPTIONS, ProjectKeyGuard } from '@iot/runtime';
import { AclRuleEntity } from './acl/acl-rule.entity';
import { AclRulesController } from './acl/acl-rules.controller';
import { AclRulesService } from './acl/acl-rules.service';
import { ProjectAclView } from './acl/project-acl-view';
import { ApiKeyEntity } from './api-keys/api-key.entity';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeysService } from './api-keys/api-keys.service';
import { OperatorKeyGuard } from './auth/operator-key.guard';
import { DeviceCredentialEntity, DeviceEntity } from './devices/device.entity';
import { DevicesController } from './devices/devices.controller';
import { DeviceAuthView } from './devices/device-auth-view';
import { DevicesService } from './devices/devices.service';
import { RegistryCore1767000000000 } from './migrations/1767000000000-registry-core';
import { ProjectAclDefault1767100000000 } from './migrations/1767100000000-project-acl-default';
import { DevicePresence1767200000000 } from './migrations/1767200000000-device-presence';
import { DeviceSubscriptions1767300000000 } from './migrations/1767300000000-device-subscriptions';
import { SubscriptionsService } from './presence/subscriptions.service';
import { PresenceController } from './presence/presence.controller';
import { ProductEntity } from './products/product.entity';
import { ProductsController } from './products/products.controller';
import { ProductsService } from './products/products.service';
import { PresenceService } from './presence/presence.service';
import { PresenceWriter } from './presence/presence-writer';
import { ProjectEntity } from './projects/project.entity';
import { ProjectsController } from './projects/projects.controller';
import { ProjectsService, REGISTRY_EVENTS } from './projects/projects.service';
import { REGISTRY_OPTIONS, REGISTRY_SERVICE, RegistryOptions } from './registry.options';
import { ClusterStatsController, ProjectStatsController } from './stats/stats.controller';
import { StatsService } from './stats/stats.service';

/** Tables the device registry maps, for the process's DataSource. */
export const registryEntities = [ProjectEntity, ApiKeyEntity, ProductEntity, DeviceEntity, DeviceCredentialEntity, AclRuleEntity];
/** The registry's migrations, oldest first. */
export const registryMigrations = [RegistryCore1767000000000, ProjectAclDefault1767100000000, DevicePresence1767200000000, DeviceSubscriptions1767300000000];

/** The device registry: projects, keys, products, devices, credentials, ACL rules, presence queries. */
@Module({})
export class DeviceRegistryModule {
  static forRoot(options: RegistryOptions): DynamicModule {
    return {
      module: DeviceRegistryModule,
      imports: [TypeOrmModule.forFeature(registryEntities)],
      controllers: [ProjectsController, ApiKeysController, ProductsController, DevicesController, AclRulesController, PresenceController, ClusterStatsController, ProjectStatsController],
      providers: [
        { provide: REGISTRY_OPTIONS, useValue: options },
        { provide: REGISTRY_EVENTS, inject: [MessageBus], useFactory: (bus: MessageBus) => new EventPublisher(bus, REGISTRY_SERVICE) },
        OperatorKeyGuard,
        // Project endpoints check keys as the other services do: against the live-key view.
        { provide: API_ACCESS_OPTIONS, useValue: { operatorKey: options.operatorKey } },
        ProjectKeyGuard,
        ProjectsService,
        ApiKeysService,
        DevicesService,
        DeviceAuthView,
        AclRulesService,
        ProjectAclView,
        PresenceService,
        PresenceWriter,
        SubscriptionsService,
        ProductsService,
        StatsService,
      ],
    };
  }
}
