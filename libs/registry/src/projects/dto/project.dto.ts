import { PageOf } from '@iot/runtime';
import { ApiProperty } from '@nestjs/swagger';
import { ProjectEntity } from '../project.entity';

export class ProjectDto {
  @ApiProperty({ example: 'smart-farm' })
  id: string;

  @ApiProperty({ example: 'Smart farm' })
  name: string;

  @ApiProperty({ example: '2026-11-23T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-23T10:00:00.000Z' })
  updatedAt: string;

  static from(entity: ProjectEntity): ProjectDto {
    return { id: entity.id, name: entity.name, createdAt: entity.createdAt.toISOString(), updatedAt: entity.updatedAt.toISOString() };
  }
}

export class ProjectPageDto extends PageOf(ProjectDto) {}
