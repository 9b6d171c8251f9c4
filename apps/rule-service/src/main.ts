// First: V8's pretenuring must be off before any module allocates (see @iot/runtime pretenuring).
import '@iot/runtime/v8-early';
import { runService } from '@iot/runtime';
import { AppModule } from './app.module';
import { loadConfig } from './config';

void runService({ title: 'iot-platform rule service', loadConfig, rootModule: AppModule.forRoot });
