import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBody, ApiOkResponse } from '@nestjs/swagger';
import { ProjectEndpoints } from '@iot/runtime';
import { BatchPublishedDto, PublishDto, PublishedDto } from './publish.dto';
import { MAX_BATCH, PublishService } from './publish.service';

@ProjectEndpoints('publish')
@Controller('projects/:projectId/publish')
export class PublishController {
  constructor(private readonly publisher: PublishService) {}

  @Post()
  @HttpCode(202)
  @ApiAcceptedResponse({ type: PublishedDto })
  @ApiBadRequestResponse({ description: 'Bad input: the offending fields are named' })
  publish(@Param('projectId') projectId: string, @Body() dto: PublishDto): Promise<PublishedDto> {
    return this.publisher.publish(projectId, dto);
  }

  @Post('batch')
  @HttpCode(200)
  @ApiBody({ type: [PublishDto], description: `1 to ${MAX_BATCH} messages` })
  @ApiOkResponse({ type: BatchPublishedDto, description: 'A result per item: valid items are published even when others are refused' })
  @ApiBadRequestResponse({ description: 'The body is not an array of 1 to 1,000 messages' })
  publishBatch(@Param('projectId') projectId: string, @Body() items: unknown): Promise<BatchPublishedDto> {
    return this.publisher.publishBatch(projectId, items);
  }
}
