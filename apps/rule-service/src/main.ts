import { runService } from '@iot/runtime';
import { AppModule } from './app.module';
import { loadConfig } from './config';

void runService({ title: 'iot-platform rule service', loadConfig, rootModule: AppModule.forRoot });
